package dev.spikevae.backend.cuda;

import java.util.List;

/**
 * Picks a cuDNN convolution algorithm from the ranked list of {@code cudnnGetConvolution*Algorithm_v7}
 * (plain Java, testable without a GPU). The first candidate, in cuDNN's order, that succeeded, is
 * deterministic (the own kernels are: the same inputs give the same bits on every run, and training
 * runs are reproducible; cuDNN's atomics-based algorithms are not), keeps to the math asked for and
 * needs at most the workspace limit. When none qualifies the fixed deterministic FMA algorithm of the
 * direction is used, whatever its workspace.
 */
final class CudnnAlgorithmChoice {
    /** cudnnMathType_t values (the same in cuDNN 8 and 9). */
    static final int DEFAULT_MATH = 0;
    static final int TENSOR_OP_MATH = 1;
    static final int FMA_MATH = 3;
    /** cudnnDeterminism_t CUDNN_DETERMINISTIC. */
    static final int DETERMINISTIC = 1;
    /** Workspace a heuristic pick may take (the own path's column chunks are 128 MiB each). */
    static final long WORKSPACE_LIMIT = 256L << 20;

    /** One entry of cuDNN's perf results. */
    record Candidate(int algo, int status, long memory, int determinism, int mathType) {
    }

    /** The algorithm and the math type to set on the convolution descriptor. */
    record Choice(int algo, int mathType, boolean heuristic) {
    }

    private CudnnAlgorithmChoice() {
    }

    /** The math type the descriptor asks for: FP32 FMA only, unless TF32 tensor cores are allowed. */
    static int requestedMath(boolean tf32) {
        return tf32 ? DEFAULT_MATH : FMA_MATH;
    }

    static Choice choose(List<Candidate> ranked, boolean tf32, long workspaceLimit, int fallbackAlgo) {
        for (Candidate c : ranked) {
            // TF32 comes with the default or tensor-op math on FP32 data; never the FP16-converting type
            boolean mathOk = c.mathType() == FMA_MATH
                    || (tf32 && (c.mathType() == DEFAULT_MATH || c.mathType() == TENSOR_OP_MATH));
            if (c.status() == CudnnStatus.SUCCESS && c.determinism() == DETERMINISTIC && mathOk
                    && c.memory() >= 0 && c.memory() <= workspaceLimit) {
                return new Choice(c.algo(), c.mathType(), true);
            }
        }
        return new Choice(fallbackAlgo, FMA_MATH, false);
    }
}
