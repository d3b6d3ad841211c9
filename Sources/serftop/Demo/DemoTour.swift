/// The scenarios that ship with serftop, runnable by name
/// (`serftop demo --scenario tour`) from wherever the binary is.
enum DemoTour {
    static let shipped: [String: String] = ["tour": tour]

    /// Every feature in about 90 seconds, on the demo's three web apps.
    static let tour = """
    # serftop's tour: about 90 seconds, the same every time.
    - say: three web apps behind one haproxy; traffic flows through the site
    - after: 6
      say: a new web app joins; the balancer adds it and reloads
    - add: web4
    - after: 8
      say: web2 answers slowly now; its response times climb
    - slow: {node: web2, ms: 400}
    - after: 8
      say: drain web1, no new sessions; then ready again
    - drain: web1
    - after: 6
      ready: web1
    - after: 4
      say: maint takes web3 out at once
    - maint: web3
    - after: 6
      ready: web3
    - after: 4
      say: more traffic
    - traffic: 60
    - after: 6
      say: web4 leaves gracefully; it drains before it goes
    - stop: web4
    - after: 8
      say: web2 crashes; gossip finds it failed within seconds
    - slow: {node: web2, ms: 0}
    - kill: web2
    - after: 14
      say: a forced reload, confirmed by the balancer
    - reload: true
    - after: 5
      traffic: 20
    - say: that was serftop; keys to try are in the footer, ? for help
    """
}
