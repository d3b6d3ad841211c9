/// One web app of the demo: the Node.js app and its serf agent.
struct DemoNode: Sendable {
    let name: String
    let appPort: UInt16
    let gossipPort: UInt16
    let rpcPort: UInt16
    let app: ChildProcess
    let agent: ChildProcess

    var rpcAddress: String { "127.0.0.1:\(rpcPort)" }
    var url: String { "http://127.0.0.1:\(appPort)/" }
}
