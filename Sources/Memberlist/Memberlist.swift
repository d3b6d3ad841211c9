// Memberlist
