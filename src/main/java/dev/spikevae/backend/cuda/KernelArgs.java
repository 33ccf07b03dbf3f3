package dev.spikevae.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The argument buffer of one kernel call site: one native slot per kernel parameter, laid out from the
 * kernel's PTX signature and reused for every launch from that site (the driver reads the values at
 * launch time). Values are appended in parameter order; each append checks the parameter's kind and
 * size, and {@link #checkComplete} checks that none is missing, so a marshalling mistake fails in Java
 * with the kernel's name and the parameter's position.
 */
public final class KernelArgs {
    private final PtxEntry entry;
    private final ByteBuffer[] slots;
    /** Which parameters were given as device pointers (for checks; PTX does not tell pointers from 64-bit ints). */
    private final boolean[] pointer;
    private int next;
    /** The device's native view of the slots (built once by the device, reused). */
    private Object nativeParams;

    KernelArgs(PtxEntry entry) {
        this.entry = entry;
        List<PtxEntry.Param> params = entry.params();
        int total = 0;
        for (PtxEntry.Param p : params) {
            total += align8(p.bytes());
        }
        ByteBuffer all = ByteBuffer.allocateDirect(Math.max(8, total)).order(ByteOrder.LITTLE_ENDIAN);
        this.slots = new ByteBuffer[params.size()];
        this.pointer = new boolean[params.size()];
        int off = 0;
        for (int i = 0; i < slots.length; i++) {
            int size = params.get(i).bytes();
            slots[i] = all.slice(off, size).order(ByteOrder.LITTLE_ENDIAN);
            off += align8(size);
        }
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    public PtxEntry entry() {
        return entry;
    }

    /** Starts filling the arguments of a new launch. */
    public KernelArgs begin() {
        next = 0;
        java.util.Arrays.fill(pointer, false);
        return this;
    }

    /** A device address. */
    public KernelArgs ptr(long address) {
        ByteBuffer b = slot(PtxEntry.Kind.B64, 8, "a device pointer");
        pointer[next - 1] = true;
        b.putLong(0, address);
        return this;
    }

    /** A 64-bit integer ({@code long long} or {@code unsigned long long}). */
    public KernelArgs i64(long value) {
        slot(PtxEntry.Kind.B64, 8, "a 64-bit integer").putLong(0, value);
        return this;
    }

    public KernelArgs i32(int value) {
        slot(PtxEntry.Kind.B32, 4, "a 32-bit integer").putInt(0, value);
        return this;
    }

    public KernelArgs f32(float value) {
        slot(PtxEntry.Kind.F32, 4, "a float").putFloat(0, value);
        return this;
    }

    /** A struct of ints passed by value; {@code values} must fill it exactly (shorter arrays are zero-padded). */
    public KernelArgs ints(int structInts, int... values) {
        if (values.length > structInts) {
            throw new IllegalArgumentException("kernel " + entry.name() + ", parameter " + next + ": " + values.length
                    + " ints do not fit a struct of " + structInts);
        }
        ByteBuffer b = slot(PtxEntry.Kind.STRUCT, 4 * structInts, "a struct of " + structInts + " ints");
        for (int i = 0; i < structInts; i++) {
            b.putInt(4 * i, i < values.length ? values[i] : 0);
        }
        return this;
    }

    private ByteBuffer slot(PtxEntry.Kind kind, int bytes, String what) {
        if (next >= slots.length) {
            throw new IllegalStateException("kernel " + entry.name() + " takes " + slots.length
                    + " parameters; a call site passes more (" + what + " at position " + next + ")");
        }
        PtxEntry.Param p = entry.params().get(next);
        if (p.kind() != kind || p.bytes() != bytes) {
            throw new IllegalStateException("kernel " + entry.name() + ", parameter " + next + " is " + p.kind() + " of "
                    + p.bytes() + " bytes in the PTX; the call site passes " + what);
        }
        return slots[next++];
    }

    /** Fails unless every parameter has been given a value since {@link #begin}. */
    public void checkComplete() {
        if (next != slots.length) {
            throw new IllegalStateException("kernel " + entry.name() + " takes " + slots.length
                    + " parameters; the call site passed " + next);
        }
    }

    /** The native slot of parameter {@code i} (for devices). */
    public ByteBuffer slot(int i) {
        return slots[i];
    }

    public int count() {
        return slots.length;
    }

    /** Whether parameter {@code i} was given with {@link #ptr}. */
    public boolean isPointer(int i) {
        return pointer[i];
    }

    public long longAt(int i) {
        return slots[i].getLong(0);
    }

    public int intAt(int i) {
        return slots[i].getInt(0);
    }

    public float floatAt(int i) {
        return slots[i].getFloat(0);
    }

    Object nativeParams() {
        return nativeParams;
    }

    void nativeParams(Object p) {
        nativeParams = p;
    }
}
