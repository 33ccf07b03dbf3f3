package dev.spikevae.backend.cuda;

import dev.spikevae.tensor.BinaryOp;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Shape;
import dev.spikevae.tensor.Tensor;
import dev.spikevae.tensor.UnaryOp;

import static dev.spikevae.backend.cuda.Addresses.of;

/** Call sites of elementwise.cu and memory.cu: activations, broadcast arithmetic, scans and casts. */
final class ElementwiseKernels {
    private final Device device;
    private final Kernel unary;
    private final KernelArgs unaryArgs;
    private final Kernel unaryBackward;
    private final KernelArgs unaryBackwardArgs;
    private final Kernel binary;
    private final KernelArgs binaryArgs;
    private final Kernel binaryBroadcast;
    private final KernelArgs binaryBroadcastArgs;
    private final Kernel axpby;
    private final KernelArgs axpbyArgs;
    private final Kernel affine;
    private final KernelArgs affineArgs;
    private final Kernel scan;
    private final KernelArgs scanArgs;
    private final Kernel scanBackward;
    private final KernelArgs scanBackwardArgs;
    private final Kernel toFloat;
    private final KernelArgs toFloatArgs;
    private final Kernel toBytes;
    private final KernelArgs toBytesArgs;

    ElementwiseKernels(Device device) {
        this.device = device;
        unary = device.kernel("unary_f32");
        unaryArgs = unary.newArgs();
        unaryBackward = device.kernel("unary_backward_f32");
        unaryBackwardArgs = unaryBackward.newArgs();
        binary = device.kernel("binary_f32");
        binaryArgs = binary.newArgs();
        binaryBroadcast = device.kernel("binary_broadcast_f32");
        binaryBroadcastArgs = binaryBroadcast.newArgs();
        axpby = device.kernel("axpby_f32");
        axpbyArgs = axpby.newArgs();
        affine = device.kernel("affine_f32");
        affineArgs = affine.newArgs();
        scan = device.kernel("leaky_scan_f32");
        scanArgs = scan.newArgs();
        scanBackward = device.kernel("leaky_scan_backward_f32");
        scanBackwardArgs = scanBackward.newArgs();
        toFloat = device.kernel("cast_u8_to_f32");
        toFloatArgs = toFloat.newArgs();
        toBytes = device.kernel("cast_f32_to_u8");
        toBytesArgs = toBytes.newArgs();
    }

    void unary(UnaryOp op, Tensor x, Tensor y, float p) {
        int n = x.numel();
        device.launch(unary, LaunchConfig.items(n),
                unaryArgs.begin().i32(OpCodes.unary(op)).ptr(of(x)).ptr(of(y)).i32(n).f32(p));
    }

    void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float p) {
        int n = x.numel();
        device.launch(unaryBackward, LaunchConfig.items(n), unaryBackwardArgs.begin().i32(OpCodes.unary(op)).ptr(of(x))
                .ptr(of(y)).ptr(of(dy)).ptr(of(dx)).i32(n).f32(p));
    }

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Shape os = out.shape();
        int n = os.numel();
        if (a.shape().equals(os) && b.shape().equals(os)) {
            device.launch(binary, LaunchConfig.items(n),
                    binaryArgs.begin().i32(OpCodes.binary(op)).ptr(of(a)).ptr(of(b)).ptr(of(out)).i32(n));
            return;
        }
        AxisMerge ix = AxisMerge.of(os.dims(), AxisMerge.broadcastStrides(a.shape(), os),
                AxisMerge.broadcastStrides(b.shape(), os));
        device.launch(binaryBroadcast, LaunchConfig.items(n), binaryBroadcastArgs.begin().i32(OpCodes.binary(op))
                .ptr(of(a)).ptr(of(b)).ptr(of(out)).i32(n).i32(ix.rank()).ints(AxisMerge.MAX_RANK, ix.dims)
                .ints(AxisMerge.MAX_RANK, ix.strides[0]).ints(AxisMerge.MAX_RANK, ix.strides[1]));
    }

    void axpby(float alpha, Tensor x, float beta, Tensor y) {
        int n = x.numel();
        device.launch(axpby, LaunchConfig.items(n), axpbyArgs.begin().f32(alpha).ptr(of(x)).f32(beta).ptr(of(y)).i32(n));
    }

    void affine(Tensor x, float alpha, float beta, Tensor y) {
        int n = x.numel();
        device.launch(affine, LaunchConfig.items(n), affineArgs.begin().ptr(of(x)).f32(alpha).f32(beta).ptr(of(y)).i32(n));
    }

    void leakyScan(Tensor x, float decay, float gain, Tensor y) {
        int steps = x.dim(0);
        int m = x.numel() / steps;
        device.launch(scan, LaunchConfig.items(m),
                scanArgs.begin().ptr(of(x)).ptr(of(y)).i32(steps).i32(m).f32(decay).f32(gain));
    }

    void leakyScanBackward(Tensor dy, float decay, float gain, Tensor dx) {
        int steps = dy.dim(0);
        int m = dy.numel() / steps;
        device.launch(scanBackward, LaunchConfig.items(m),
                scanBackwardArgs.begin().ptr(of(dy)).ptr(of(dx)).i32(steps).i32(m).f32(decay).f32(gain));
    }

    /** Between dtypes (a same-dtype cast is a copy, handled by the backend). */
    void cast(Tensor src, Tensor dst) {
        int n = src.numel();
        if (src.dtype() == DType.U8) {
            device.launch(toFloat, LaunchConfig.items(n), toFloatArgs.begin().ptr(of(src)).ptr(of(dst)).i32(n));
        } else {
            device.launch(toBytes, LaunchConfig.items(n), toBytesArgs.begin().ptr(of(src)).ptr(of(dst)).i32(n));
        }
    }
}
