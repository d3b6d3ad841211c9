import Memberlist

// Serf's own `_serf_*` queries that the core leaves to us because they touch
// the keyring: `serf keys -list/-install/-use/-remove` across the cluster.
extension SerfMember {
    func answerInternalQuery(_ query: QueryEvent) {
        let response: NodeKeyResponse
        switch query.name {
        case "_serf_list-keys":
            response = listKeys()
        case "_serf_install-key", "_serf_use-key", "_serf_remove-key":
            response = changeKeys(query)
        default:
            return
        }
        do {
            apply(try node.respond(to: query.id, payload: response.encoded(), now: now))
        } catch {
            noteDropped("answering \(query.name): \(error)")
        }
    }

    func listKeys() -> NodeKeyResponse {
        guard let keyring else {
            return NodeKeyResponse(result: false, message: "Keyring is empty (encryption not enabled)", keys: [], primaryKey: "")
        }
        return NodeKeyResponse(result: true, message: "", keys: keyring.keys.map(Keyring.encodeKey),
                               primaryKey: Keyring.encodeKey(keyring.primary))
    }

    func changeKeys(_ query: QueryEvent) -> NodeKeyResponse {
        guard var ring = keyring else {
            return NodeKeyResponse(result: false, message: "No keyring to modify (encryption not enabled)", keys: [], primaryKey: "")
        }
        do {
            let key = try KeyRequest.decode(query.payload).key
            switch query.name {
            case "_serf_install-key": try ring.install(key)
            case "_serf_use-key": try ring.use(key)
            default: try ring.remove(key)
            }
        } catch {
            return NodeKeyResponse(result: false, message: "\(error)", keys: [], primaryKey: "")
        }
        keyring = ring
        packets = PacketCodec(keyring: ring)
        inbox.codec.withLockedValue { $0 = StreamCodec(keyring: ring) }
        // Kept where we were started from, as an agent keeps its own, so
        // that a restart with the same file joins the rotated cluster.
        if let file = config.keyringFile {
            do {
                try ring.save(file: file)
            } catch {
                logger.error("gossip: \(error)")
                return NodeKeyResponse(result: false, message: "\(error)", keys: [], primaryKey: "")
            }
        }
        return NodeKeyResponse(result: true, message: "", keys: [], primaryKey: "")
    }
}
