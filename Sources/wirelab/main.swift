import WireLabCLI
