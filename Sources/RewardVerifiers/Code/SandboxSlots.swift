/// Worker slots of the code sandbox, shared by every code reward in the process. A slot is held
/// by one run at a time, so its uid (uid base + slot) never has two samples alive at once: the
/// per-uid NPROC limit is per sample and a sample cannot read or signal another one.
public actor SandboxSlots {
    public static let shared = SandboxSlots(count: 64)

    private var free: [Int]
    private var waiters: [CheckedContinuation<Int, Never>] = []

    public init(count: Int) { free = Array((0..<count).reversed()) }

    public func acquire() async -> Int {
        if let s = free.popLast() { return s }
        return await withCheckedContinuation { waiters.append($0) }
    }

    public func release(_ slot: Int) {
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: slot) } else { free.append(slot) }
    }
}
