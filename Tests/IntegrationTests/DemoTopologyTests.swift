import Testing

/// Everything that runs the demo topology (haproxy, agents, web apps, wrk),
/// one test at a time: join-to-serving times and load tests must not compete
/// with each other for the machine's cores.
@Suite(.serialized) struct DemoTopologyTests {}
