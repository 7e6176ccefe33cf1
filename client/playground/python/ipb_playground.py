def run(code, host, code_cells=None):
    raise NotImplementedError
