/// Today's per-request picture of `mixedRun`, captured before the connection picture became the
/// default: `--waterfall=requests` must keep drawing exactly this.
let requestsPicture100 = """
    Waterfall: 8 requests over 223.0 ms (one column ≈ 4.13 ms)
      ░ waiting for a socket  ▓ connecting  ▒ waiting for the first byte  █ receiving
      ka #1    GET /         |▓▓▒▒▒▒▒▒▒▒▒▒▒█                                        |    60.0 ms 200 new
      ka #1    GET /delay/50 |░░░░░░░░░░░░░░▒▒▒▒▒▒▒▒▒▒▒█                            |   110.0 ms 200 reused
      ka #1    GET /delay/50 |░░░░░░░░░░░░░░░░░░░░░░░░░░▒▒▒▒▒▒▒▒▒▒▒█                |   160.0 ms 200 reused
      pool #1  GET /         |                                         ▓▒▒▒▒█       |    25.0 ms 200 new
      pool #1  GET /         |                                                ▒▒█   |    10.0 ms 200 reused
      pool #2  GET /slow     |                                         ▓▒▒▒▒██      |    30.0 ms 200 new
      pool #2  GET /         |                                                 ▒▒▒  |    12.0 ms ✘ reset reused
      down —   GET /         |                                                     ▒|    3.00 ms ✘ refused

    """

let requestsPicture60 = """
    Waterfall: 8 requests over 223.0 ms (one column ≈ 11.2 ms)
      ░ waiting for a socket  ▓ connecting  ▒ waiting for the first byte  █ receiving
      ka #1    GET /         |▒▒▒▒█               |    60.0 ms 200 new
      ka #1    GET /delay/50 |░░░░░▒▒▒▒█          |   110.0 ms 200 reused
      ka #1    GET /delay/50 |░░░░░░░░░▒▒▒▒█      |   160.0 ms 200 reused
      pool #1  GET /         |               ▒▒█  |    25.0 ms 200 new
      pool #1  GET /         |                 ▒█ |    10.0 ms 200 reused
      pool #2  GET /slow     |               ▒▒█  |    30.0 ms 200 new
      pool #2  GET /         |                  ▒ |    12.0 ms ✘ reset reused
      down —   GET /         |                   ▒|    3.00 ms ✘ refused

    """
