import Hummingbird
import RewardCore

/// A request the server refuses; rendered as `{"error": message, ...extra}` with `status`.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var extra: [JSONMember] = []
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, extra: [JSONMember] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.extra = extra
        self.headers = headers
    }

    var response: Response {
        var o = JSONObject()
        o["error"] = .string(message)
        for m in extra { o[m.key] = m.value }
        return JSONResponse.make(.object(o), status: status, headers: headers)
    }
}

enum JSONResponse {
    static func make(_ v: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var w = JSONWriter(capacity: 256)
        w.write(v)
        return bytes(w.bytes, status: status, headers: headers)
    }

    static func bytes(_ b: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:],
                      contentType: String = "application/json") -> Response {
        var h = headers
        h[.contentType] = contentType
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: b)))
    }
}
