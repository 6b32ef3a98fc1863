import CLuaShim
import Core

/// One `quanzi.*` function scripts may call. `ScriptBinding.all` (BindingTable.swift) is the only
/// place a binding is declared: the sandbox registers it from there (one C trampoline dispatches
/// every Swift binding by its index), the REPL completes its name and the README lists it.
public struct ScriptBinding: Sendable {
    /// Where it lives under `quanzi`: "user", "credit.score" (at most one namespace).
    public let path: String
    /// Argument names as documented: `["user", "experiment_id"]`; `["..."]` for any.
    public let arguments: [String]
    /// One line for the README: what it answers.
    public let doc: String
    let implementation: Implementation
    /// How many leading arguments (the user first) decide the answer while one batch asks about
    /// one user: the batch's first answer serves its repeats without a call into Swift
    /// (`qz_binding_spec.batch_memo_arguments`). 0: asked every time. Only for answers that are
    /// the same all through one request's instant, as a request's memo would hold them.
    let batchMemoArguments: Int

    enum Implementation: Sendable {
        /// Answered in Swift, through the one C trampoline, from the state's data source and clock.
        case swift(@Sendable (BindingCall) -> BindingAnswer)
        /// A host function that has to be C (see qz_native_function for why each one does).
        case native(qz_native_function)
    }

    /// A binding answered in Swift.
    init(
        _ path: String, _ arguments: [String], _ doc: String, batchMemoArguments: Int = 0,
        _ answer: @escaping @Sendable (BindingCall) -> BindingAnswer
    ) {
        self.path = path
        self.arguments = arguments
        self.doc = doc
        self.batchMemoArguments = batchMemoArguments
        implementation = .swift(answer)
    }

    /// A binding written in C.
    init(_ path: String, _ arguments: [String], _ doc: String, native: qz_native_function) {
        self.path = path
        self.arguments = arguments
        self.doc = doc
        batchMemoArguments = 0
        implementation = .native(native)
    }

    /// The name scripts call: `quanzi.credit.score`.
    public var name: String { "quanzi." + path }

    /// How it is called, as documented: `quanzi.ab.variant(user, experiment_id)`.
    public var signature: String { "\(name)(\(arguments.joined(separator: ", ")))" }
}

/// What a Swift binding answers; C pushes it (or raises the error at the caller's file:line).
enum BindingAnswer {
    case values([ScriptValue])
    /// Return the caller's argument at this index unchanged (e.g. the default of ab.param).
    case argument(Int32)
    /// Return the value the registry holds under this reference (a cached proxy).
    case reference(Int32)
    case error(String)
}

/// One call of a Swift binding: its arguments, and the state whose data source and clock answer it.
struct BindingCall {
    let state: LuaState
    /// The binding's index in `ScriptBinding.all`.
    let index: Int
    let arguments: BindingArguments

    var source: any ScriptDataSource { state.dataSource }
    var clock: any Clock { state.clock }

    func user(_ position: Int32) -> UserID? { arguments.user(position) }
    func string(_ position: Int32) -> String? { arguments.string(position) }

    /// The bad-argument error, "quanzi.x expects …"; C prefixes the caller's file:line.
    func expects(_ what: String) -> BindingAnswer { .error("\(ScriptBinding.all[index].name) expects \(what)") }

    /// Runs a data-source read that may refuse, its refusal becoming the script's error.
    func answering(_ read: () throws(QuanziError) -> BindingAnswer) -> BindingAnswer {
        do throws(QuanziError) { return try read() } catch { return .error(error.message) }
    }
}
