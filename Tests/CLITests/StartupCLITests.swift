import Foundation
import Testing

/// Process start (issue 15): the `rewardkit` binary must not link FoundationNetworking, whose libcurl tree
/// (about 30 shared objects: TLS, Kerberos, LDAP, SSH, IDN) every CLI run would otherwise load and relocate.
/// The OpenAI-compatible backend uses AsyncHTTPClient instead.
@Suite struct StartupCLITests {
    @Test func binaryDoesNotLinkFoundationNetworkingOrLibcurl() throws {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ldd", CLI.binary]
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("libc.so"), "\(text)")  // ldd did list the dependencies
        #expect(!text.contains("libFoundationNetworking"), "\(text)")
        #expect(!text.contains("libcurl"), "\(text)")
    }
}
