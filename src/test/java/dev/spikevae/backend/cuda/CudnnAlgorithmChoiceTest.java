package dev.spikevae.backend.cuda;

import dev.spikevae.backend.cuda.CudnnAlgorithmChoice.Candidate;
import dev.spikevae.backend.cuda.CudnnAlgorithmChoice.Choice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.spikevae.backend.cuda.CudnnAlgorithmChoice.DEFAULT_MATH;
import static dev.spikevae.backend.cuda.CudnnAlgorithmChoice.DETERMINISTIC;
import static dev.spikevae.backend.cuda.CudnnAlgorithmChoice.FMA_MATH;
import static dev.spikevae.backend.cuda.CudnnAlgorithmChoice.TENSOR_OP_MATH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which of cuDNN's ranked algorithms a plan takes. */
class CudnnAlgorithmChoiceTest {
    private static final int NON_DETERMINISTIC = 0;
    private static final int ALLOW_CONVERSION = 2;
    private static final long LIMIT = 1000;

    @Test
    void theFirstSuccessfulDeterministicFmaAlgorithmWithinTheWorkspaceLimitWins() {
        List<Candidate> ranked = List.of(
                new Candidate(7, 0, 10, NON_DETERMINISTIC, FMA_MATH),   // atomics: not reproducible
                new Candidate(6, 3000, 10, DETERMINISTIC, FMA_MATH),    // not supported here
                new Candidate(5, 0, LIMIT + 1, DETERMINISTIC, FMA_MATH), // too much workspace
                new Candidate(4, 0, 10, DETERMINISTIC, DEFAULT_MATH),   // may use TF32
                new Candidate(2, 0, LIMIT, DETERMINISTIC, FMA_MATH),
                new Candidate(1, 0, 0, DETERMINISTIC, FMA_MATH));
        Choice c = CudnnAlgorithmChoice.choose(ranked, false, LIMIT, 0);
        assertEquals(2, c.algo());
        assertEquals(FMA_MATH, c.mathType());
        assertTrue(c.heuristic());
    }

    @Test
    void tf32AllowsTheDefaultAndTensorOpMathButNeverDownConversion() {
        List<Candidate> ranked = List.of(new Candidate(3, 0, 10, DETERMINISTIC, ALLOW_CONVERSION),
                new Candidate(4, 0, 10, DETERMINISTIC, DEFAULT_MATH), new Candidate(1, 0, 0, DETERMINISTIC, FMA_MATH));
        assertEquals(4, CudnnAlgorithmChoice.choose(ranked, true, LIMIT, 0).algo());
        assertEquals(DEFAULT_MATH, CudnnAlgorithmChoice.choose(ranked, true, LIMIT, 0).mathType());
        assertEquals(1, CudnnAlgorithmChoice.choose(ranked, false, LIMIT, 0).algo());
        List<Candidate> tensorOps = List.of(new Candidate(6, 0, 10, DETERMINISTIC, TENSOR_OP_MATH));
        assertEquals(6, CudnnAlgorithmChoice.choose(tensorOps, true, LIMIT, 0).algo());
        assertFalse(CudnnAlgorithmChoice.choose(tensorOps, false, LIMIT, 0).heuristic());
    }

    @Test
    void withoutAQualifyingCandidateTheFixedFmaAlgorithmIsUsed() {
        List<Candidate> ranked = List.of(new Candidate(0, 0, 10, NON_DETERMINISTIC, FMA_MATH));
        Choice c = CudnnAlgorithmChoice.choose(ranked, false, LIMIT, 1);
        assertEquals(new Choice(1, FMA_MATH, false), c);
        assertEquals(new Choice(1, FMA_MATH, false), CudnnAlgorithmChoice.choose(List.of(), true, LIMIT, 1));
    }

    @Test
    void theDescriptorAsksForFmaMathUnlessTf32IsAllowed() {
        assertEquals(FMA_MATH, CudnnAlgorithmChoice.requestedMath(false));
        assertEquals(DEFAULT_MATH, CudnnAlgorithmChoice.requestedMath(true));
    }
}
