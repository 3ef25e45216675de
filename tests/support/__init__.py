"""What the tests and the benches share: the fake Bot API, people talking to the bot through it,
the tests' clock, the console process, the database backends. Nothing here imports a test
module or conftest, so `bench/` can import it without importing the tests."""
