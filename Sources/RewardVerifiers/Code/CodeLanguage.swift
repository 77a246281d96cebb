/// How to run programs of one language inside the jail: the interpreter command and the files
/// it needs in the work dir. Only Python 3 exists today; another language adds a case whose
/// driver speaks the same fd-3 protocol (one JSON line per test, then the run's nonce).
public enum CodeLanguage: String, Sendable, CaseIterable {
    case python

    public func argv(interpreter: String?) -> [String] {
        switch self {
        // -I: no user site, no PYTHON* environment, no script dir on sys.path.
        case .python: return [interpreter ?? "/usr/bin/python3", "-I", "driver.py"]
        }
    }

    public var files: [String: String] {
        switch self {
        case .python: return ["driver.py": PythonDriver.source]
        }
    }
}
