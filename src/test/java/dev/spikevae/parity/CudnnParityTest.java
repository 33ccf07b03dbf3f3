package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution cases of {@link ParityCases} on the CUDA backend with cuDNN on, against the CPU: f32
 * operands run through cuDNN (plain and transposed geometries, stride, padding, output padding, the
 * weight gradient's beta), u8 spike operands through the own kernels beside it. Runs where a GPU and
 * cuDNN are usable; elsewhere each case is reported as skipped with the reason. A failure names cuDNN.
 */
class CudnnParityTest {
    private static final List<String> CONV_CASES = List.of("kConvForward", "kConvBackwardData", "kConvBackwardWeight");

    @Test
    void theConvolutionCasesExist() {
        assertTrue(ParityCases.all().keySet().containsAll(CONV_CASES), "parity cases: " + ParityCases.all().keySet());
    }

    @Test
    void theBackendDescribesCudnnConvolutions() {
        Backend gpu = CudaUnderTest.cudnnGpuOrSkip();
        assertTrue(gpu.description().contains("convolutions: cuDNN"), gpu.description());
    }

    @TestFactory
    List<DynamicTest> convolutionsThroughCudnnMatchTheCpu() {
        return CONV_CASES.stream().map(name -> DynamicTest.dynamicTest("cudnn " + name, () -> {
            Backend gpu = CudaUnderTest.cudnnGpuOrSkip();
            try (MemoryScope scope = MemoryScope.open()) {
                ParityCases.all().get(name).run(CudaUnderTest.cpu(), gpu, new Rng(name.hashCode()));
                System.out.println("PARITY cudnn:" + name + " pass");
            } catch (AssertionError | RuntimeException failure) {
                String first = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
                System.out.println("PARITY cudnn:" + name + " FAIL: " + first);
                throw new AssertionError("cuDNN convolution path: " + name + ": " + first, failure);
            }
        })).toList();
    }
}
