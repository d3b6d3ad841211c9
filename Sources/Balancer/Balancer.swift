// Balancer
