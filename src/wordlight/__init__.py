"""wordlight: which words made this NLP model say that?"""
