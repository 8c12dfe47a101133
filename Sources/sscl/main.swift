print("sscl")
