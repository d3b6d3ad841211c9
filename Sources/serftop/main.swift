print("serftop")
