#ifndef DPTEXT_CLIBFUZZER_H
#define DPTEXT_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, LLVM ≥ 11): parses the command line
/// and fuzzes `callback`, as libFuzzer's own `main` does.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
