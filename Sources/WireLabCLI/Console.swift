#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes. The real one goes to the process's stdout/stderr, unbuffered per line;
/// tests pass a recording one.
public protocol Console: AnyObject {
    func out(_ text: String)
    func err(_ text: String)
}

public final class StandardConsole: Console {
    public init() {}
    public func out(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }
    public func err(_ text: String) {
        fputs(text, stderr)
        fflush(stderr)
    }
}

/// A console that records what was written (for tests).
public final class RecordingConsole: Console {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    public init() {}
    public func out(_ text: String) { stdout += text }
    public func err(_ text: String) { stderr += text }
}

extension Console {
    func line(_ text: String = "") { out(text + "\n") }
    func errorLine(_ text: String) { err(text + "\n") }
}
