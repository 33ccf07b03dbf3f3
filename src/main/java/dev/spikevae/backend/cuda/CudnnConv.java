package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.ConvGeometry;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.runtime.cudaStream_t;

import java.util.ArrayList;
import java.util.List;

import static dev.spikevae.backend.cuda.CudnnStatus.check;

/**
 * Convolutions through cuDNN (JCudnn 11.7's Java API over cuDNN 9 natives; only calls that cuDNN 9
 * still has: the legacy convolution API with the {@code _v7} algorithm queries). One handle on the
 * backend's stream. A plan per (direction, geometry, TF32) holds its descriptors, the algorithm picked
 * once by {@link CudnnAlgorithmChoice} and its workspace size; plans are kept ({@link PlanCache}),
 * least recently used first out, up to {@link #PLANS}. The math type is FMA-only (plain FP32) unless TF32 was asked for.
 */
final class CudnnConv implements VendorConv {
    /** Plans kept (a training run uses a few geometries per layer: full and last batch, train and eval). */
    static final int PLANS = 128;
    /** Perf results asked for: at least the number of algorithms of any direction (8 forward). */
    private static final int MAX_ALGOS = 8;
    private static final int FALLBACK_FORWARD = 0;      // IMPLICIT_GEMM: deterministic, no workspace
    private static final int FALLBACK_DATA = 1;         // BWD_DATA_ALGO_1: deterministic
    private static final int FALLBACK_FILTER = 1;       // BWD_FILTER_ALGO_1: deterministic

    private final JCudaDevice device;
    private final cudnnHandle handle;
    private final String name;
    private final float[] one = {1f};
    private final float[] zero = {0f};
    private final float[] beta = new float[1];
    private final PlanCache<PlanKey, CudnnPlan> plans;

    private record PlanKey(Direction direction, ConvGeometry geometry, boolean tf32) {
    }

    private CudnnConv(JCudaDevice device, cudnnHandle handle, String name) {
        this.device = device;
        this.handle = handle;
        this.name = name;
        this.plans = new PlanCache<>(PLANS, k -> CudnnPlan.create(handle, k.direction(), k.geometry(), k.tf32()),
                CudnnPlan::destroy);
    }

    /** Creates a handle on the device's stream; a LinkageError means the library is not there. */
    static CudnnConv open(JCudaDevice device) {
        JCudnn.setExceptionsEnabled(false);
        long v = JCudnn.cudnnGetVersion();
        cudnnHandle h = new cudnnHandle();
        check(JCudnn.cudnnCreate(h), "cudnnCreate");
        check(JCudnn.cudnnSetStream(h, new cudaStream_t(device.stream())), "cudnnSetStream");
        CudnnConv c = new CudnnConv(device, h, "cuDNN " + v / 10000 + "." + v / 100 % 100 + "." + v % 100);
        // cuDNN 9 loads its convolution sub-library on first use: plan one small convolution now, so that a
        // missing or broken piece shows in the probe rather than in the first training step
        try {
            c.plan(Direction.FORWARD, ConvGeometry.conv(1, 1, 3, 3, 1, 3, 1, 1), false);
        } catch (RuntimeException e) {
            JCudnn.cudnnDestroy(h);
            throw e;
        }
        return c;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized Plan plan(Direction direction, ConvGeometry g, boolean tf32) {
        device.bind();
        return plans.get(new PlanKey(direction, g, tf32));
    }

    private static CudnnPlan ours(Plan plan, Direction expected) {
        if (!(plan instanceof CudnnPlan p) || p.direction() != expected) {
            throw new IllegalArgumentException("cuDNN: a " + expected + " call was given the plan " + plan);
        }
        return p;
    }

    private Pointer at(long address) {
        return address == 0 ? new Pointer() : device.pointer(address);
    }

    @Override
    public synchronized void forward(Plan plan, long x, long w, long y, long workspace) {
        CudnnPlan p = ours(plan, Direction.FORWARD);
        device.bind();
        check(JCudnn.cudnnConvolutionForward(handle, Pointer.to(one), p.x, at(x), p.filter, at(w), p.conv, p.algo,
                at(workspace), p.workspaceBytes(), Pointer.to(zero), p.y, at(y)), p.what());
    }

    @Override
    public synchronized void backwardData(Plan plan, long dy, long w, long dx, long workspace) {
        CudnnPlan p = ours(plan, Direction.BACKWARD_DATA);
        device.bind();
        check(JCudnn.cudnnConvolutionBackwardData(handle, Pointer.to(one), p.filter, at(w), p.y, at(dy), p.conv, p.algo,
                at(workspace), p.workspaceBytes(), Pointer.to(zero), p.x, at(dx)), p.what());
    }

    @Override
    public synchronized void backwardFilter(Plan plan, long x, long dy, float beta, long dw, long workspace) {
        CudnnPlan p = ours(plan, Direction.BACKWARD_FILTER);
        device.bind();
        this.beta[0] = beta;
        check(JCudnn.cudnnConvolutionBackwardFilter(handle, Pointer.to(one), p.x, at(x), p.y, at(dy), p.conv, p.algo,
                at(workspace), p.workspaceBytes(), Pointer.to(this.beta), p.filter, at(dw)), p.what());
    }

    @Override
    public synchronized void addBias(Plan plan, long bias, long out) {
        if (!(plan instanceof CudnnPlan p) || p.biasTarget == null) {
            throw new IllegalArgumentException("cuDNN: no bias for the plan " + plan);
        }
        device.bind();
        // out = 1 * bias (broadcast over n, h, w) + 1 * out: one rounding, as the own scatter/col2im
        check(JCudnn.cudnnAddTensor(handle, Pointer.to(one), p.bias, at(bias), Pointer.to(one), p.biasTarget, at(out)),
                "cudnnAddTensor (bias of " + p.what() + ")");
    }

    /** Descriptors, algorithm and workspace of one direction over one geometry. */
    private static final class CudnnPlan implements Plan {
        private final Direction direction;
        private final ConvGeometry geometry;
        private final cudnnTensorDescriptor x = new cudnnTensorDescriptor();
        private final cudnnTensorDescriptor y = new cudnnTensorDescriptor();
        private final cudnnFilterDescriptor filter = new cudnnFilterDescriptor();
        private final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        private cudnnTensorDescriptor bias;
        /** The descriptor the bias is added to: y (forward) or x (backward data), else null. */
        private cudnnTensorDescriptor biasTarget;
        private int algo;
        private long workspace;
        private final List<Runnable> destroyers = new ArrayList<>();

        private CudnnPlan(Direction direction, ConvGeometry geometry) {
            this.direction = direction;
            this.geometry = geometry;
        }

        static CudnnPlan create(cudnnHandle handle, Direction direction, ConvGeometry g, boolean tf32) {
            CudnnPlan p = new CudnnPlan(direction, g);
            try {
                p.describe(g, CudnnAlgorithmChoice.requestedMath(tf32));
                p.chooseAlgorithm(handle, tf32);
            } catch (RuntimeException e) {
                p.destroy();
                throw e;
            }
            return p;
        }

        private void tensor(cudnnTensorDescriptor d, CudnnConvParams.Dims dims, String what) {
            check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor (" + what + ")");
            destroyers.add(() -> JCudnn.cudnnDestroyTensorDescriptor(d));
            check(JCudnn.cudnnSetTensor4dDescriptor(d, CudnnConvParams.NCHW, CudnnConvParams.FLOAT, dims.n(), dims.c(),
                    dims.h(), dims.w()), "cudnnSetTensor4dDescriptor (" + what + " " + dims + ", " + geometry + ")");
        }

        private void describe(ConvGeometry g, int math) {
            CudnnConvParams q = CudnnConvParams.of(g);
            tensor(x, q.x(), "x");
            tensor(y, q.y(), "y");
            check(JCudnn.cudnnCreateFilterDescriptor(filter), "cudnnCreateFilterDescriptor");
            destroyers.add(() -> JCudnn.cudnnDestroyFilterDescriptor(filter));
            CudnnConvParams.Dims f = q.filter();
            check(JCudnn.cudnnSetFilter4dDescriptor(filter, CudnnConvParams.FLOAT, CudnnConvParams.NCHW, f.n(), f.c(), f.h(),
                    f.w()), "cudnnSetFilter4dDescriptor (" + f + ", " + g + ")");
            check(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
            destroyers.add(() -> JCudnn.cudnnDestroyConvolutionDescriptor(conv));
            check(JCudnn.cudnnSetConvolution2dDescriptor(conv, q.padH(), q.padW(), q.strideH(), q.strideW(), q.dilationH(),
                    q.dilationW(), q.mode(), CudnnConvParams.FLOAT), "cudnnSetConvolution2dDescriptor (" + g + ")");
            check(JCudnn.cudnnSetConvolutionMathType(conv, math), "cudnnSetConvolutionMathType");
            if (direction != Direction.BACKWARD_FILTER) {
                bias = new cudnnTensorDescriptor();
                tensor(bias, direction == Direction.FORWARD ? q.bias() : q.dataBias(), "bias");
                biasTarget = direction == Direction.FORWARD ? y : x;
            }
        }

        private void chooseAlgorithm(cudnnHandle handle, boolean tf32) {
            int[] count = new int[1];
            List<CudnnAlgorithmChoice.Candidate> ranked = new ArrayList<>();
            int fallback;
            String query = direction.call().replace("cudnnConvolution", "cudnnGetConvolution") + "Algorithm_v7";
            switch (direction) {
                case FORWARD -> {
                    cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[MAX_ALGOS];
                    for (int i = 0; i < perf.length; i++) {
                        perf[i] = new cudnnConvolutionFwdAlgoPerf();
                    }
                    check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, x, filter, conv, y, MAX_ALGOS, count, perf),
                            query + " (" + geometry + ")");
                    for (int i = 0; i < count[0]; i++) {
                        ranked.add(new CudnnAlgorithmChoice.Candidate(perf[i].algo, perf[i].status, perf[i].memory,
                                perf[i].determinism, perf[i].mathType));
                    }
                    fallback = FALLBACK_FORWARD;
                }
                case BACKWARD_DATA -> {
                    cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[MAX_ALGOS];
                    for (int i = 0; i < perf.length; i++) {
                        perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
                    }
                    check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, filter, y, conv, x, MAX_ALGOS, count,
                            perf), query + " (" + geometry + ")");
                    for (int i = 0; i < count[0]; i++) {
                        ranked.add(new CudnnAlgorithmChoice.Candidate(perf[i].algo, perf[i].status, perf[i].memory,
                                perf[i].determinism, perf[i].mathType));
                    }
                    fallback = FALLBACK_DATA;
                }
                default -> {
                    cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[MAX_ALGOS];
                    for (int i = 0; i < perf.length; i++) {
                        perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
                    }
                    check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, x, y, conv, filter, MAX_ALGOS, count,
                            perf), query + " (" + geometry + ")");
                    for (int i = 0; i < count[0]; i++) {
                        ranked.add(new CudnnAlgorithmChoice.Candidate(perf[i].algo, perf[i].status, perf[i].memory,
                                perf[i].determinism, perf[i].mathType));
                    }
                    fallback = FALLBACK_FILTER;
                }
            }
            CudnnAlgorithmChoice.Choice choice = CudnnAlgorithmChoice.choose(ranked, tf32,
                    CudnnAlgorithmChoice.WORKSPACE_LIMIT, fallback);
            algo = choice.algo();
            check(JCudnn.cudnnSetConvolutionMathType(conv, choice.mathType()), "cudnnSetConvolutionMathType");
            long[] bytes = new long[1];
            String sizeCall = direction.call().replace("cudnnConvolution", "cudnnGetConvolution") + "WorkspaceSize";
            int r = switch (direction) {
                case FORWARD -> JCudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, x, filter, conv, y, algo, bytes);
                case BACKWARD_DATA -> JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, filter, y, conv, x, algo,
                        bytes);
                case BACKWARD_FILTER -> JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, x, y, conv, filter,
                        algo, bytes);
            };
            check(r, sizeCall + " (algorithm " + algo + ", " + geometry + ")");
            workspace = bytes[0];
        }

        /** The call and its setting, for failure messages. */
        String what() {
            return direction.call() + " (algorithm " + algo + ", workspace " + workspace + " bytes, " + geometry + ")";
        }

        void destroy() {
            for (int i = destroyers.size() - 1; i >= 0; i--) {
                destroyers.get(i).run();
            }
            destroyers.clear();
        }

        @Override
        public Direction direction() {
            return direction;
        }

        @Override
        public ConvGeometry geometry() {
            return geometry;
        }

        @Override
        public long workspaceBytes() {
            return workspace;
        }

        @Override
        public String toString() {
            return "cuDNN plan " + what();
        }
    }
}
