"""Generous readers for what people type into the coach, one module per kind of answer.

Someone typing at night on a phone writes `$5,000`, `5k`, `12萬`, `next friday`, `yep` or
`tomorrow 10am`. A coach that answers "please enter a number" has failed them, so every reader
here accepts the common spellings, returns `None` when it cannot tell (the dialog then asks
again), and never raises, whatever the input: empty, emoji, pages of junk.

- `amounts`: money, in the currencies the coach works in (`parse_amount`)
- `counts`: how many instalments (`parse_count`)
- `durations`: how many months behind (`parse_months`)
- `yes_no`: yes, no, or "not sure" (`parse_yes_no`)
- `dates`: a calendar date (`parse_date`)
- `times`: the moment the person will call (`parse_moment`)
- `quiet_hours`: the hours when no reminder may arrive (`parse_quiet_hours`)
- `zones`: a time zone typed or guessed from the language (`parse_timezone`, `guess_timezone`)
- `greetings`: a first message that only says hello (`is_greeting`)

and what they share: `text` (folding what keyboards type into plain forms), `numbers` (digits,
separators and number words), `calendar_names` (months and weekdays) and `fallback` (dateparser,
for the rare shapes the fast paths do not read).
"""
