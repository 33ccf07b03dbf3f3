package dev.spikevae.backend.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Device} without a GPU: the kernels of the packaged PTX, fake addresses, and a record of every
 * launch. Each launch is checked as a driver would not: every argument given as a pointer must be null
 * or lie inside a live allocation, and the configuration must be non-degenerate. Host copies read zeros.
 */
class DryRunDevice implements Device {
    /** One recorded launch: kernel, configuration and the argument values (longs, ints or floats as given). */
    record Launch(String kernel, LaunchConfig config, List<Object> args) {
    }

    private final Map<String, PtxEntry> entries = new LinkedHashMap<>();
    private final TreeMap<Long, Long> live = new TreeMap<>();
    final List<Launch> launches = new ArrayList<>();
    private long next = 0x7f00_0000_0000L;
    long driverAllocations;
    /** The vendor convolutions this device offers (null: none, as without cuDNN). */
    VendorConv vendorConv;

    DryRunDevice() {
        for (String module : PtxModules.ALL) {
            entries.putAll(PtxEntry.parse(module, PtxModules.text(module)));
        }
    }

    @Override
    public Map<String, PtxEntry> entries() {
        return entries;
    }

    @Override
    public Kernel kernel(String name) {
        PtxEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalStateException("no kernel " + name);
        }
        return new Kernel(e, name);
    }

    @Override
    public long allocate(long bytes) {
        long a = next;
        next += (bytes + 255) / 256 * 256 + 256;
        live.put(a, bytes);
        driverAllocations++;
        return a;
    }

    @Override
    public void free(long address) {
        if (live.remove(address) == null) {
            throw new IllegalStateException("free of an unknown block");
        }
    }

    /** Whether [address, address + bytes) lies inside one live block. */
    boolean inside(long address, long bytes) {
        Map.Entry<Long, Long> e = live.floorEntry(address);
        return e != null && address + bytes <= e.getKey() + e.getValue();
    }

    private void checkRange(String what, long address, long bytes) {
        if (bytes > 0 && !inside(address, bytes)) {
            throw new IllegalStateException(what + ": [0x" + Long.toHexString(address) + ", +" + bytes
                    + ") is outside every live allocation");
        }
    }

    @Override
    public void copyToDevice(float[] src, int srcOffset, long dst, int count) {
        checkRange("copyToDevice", dst, 4L * count);
    }

    @Override
    public void copyToDevice(byte[] src, int srcOffset, long dst, int count) {
        checkRange("copyToDevice", dst, count);
    }

    @Override
    public void copyToHost(long src, float[] dst, int dstOffset, int count) {
        checkRange("copyToHost", src, 4L * count);
        java.util.Arrays.fill(dst, dstOffset, dstOffset + count, 0f);
    }

    @Override
    public void copyToHost(long src, byte[] dst, int dstOffset, int count) {
        checkRange("copyToHost", src, count);
        java.util.Arrays.fill(dst, dstOffset, dstOffset + count, (byte) 0);
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        checkRange("copyOnDevice source", src, bytes);
        checkRange("copyOnDevice destination", dst, bytes);
    }

    @Override
    public void fill32(long dst, int value, long count) {
        checkRange("fill32", dst, 4 * count);
    }

    @Override
    public void fill8(long dst, byte value, long count) {
        checkRange("fill8", dst, count);
    }

    @Override
    public void launch(Kernel kernel, LaunchConfig config, KernelArgs args) {
        args.checkComplete();
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < args.count(); i++) {
            PtxEntry.Param p = args.entry().params().get(i);
            switch (p.kind()) {
                case B64 -> {
                    long v = args.longAt(i);
                    if (args.isPointer(i) && v != 0 && !inside(v, 1)) {
                        throw new IllegalStateException("kernel " + kernel.name() + ", parameter " + i + ": pointer 0x"
                                + Long.toHexString(v) + " is outside every live allocation");
                    }
                    values.add(v);
                }
                case B32 -> values.add(args.intAt(i));
                case F32 -> values.add(args.floatAt(i));
                case STRUCT -> {
                    int[] ints = new int[p.bytes() / 4];
                    for (int k = 0; k < ints.length; k++) {
                        ints[k] = args.slot(i).getInt(4 * k);
                    }
                    values.add(ints);
                }
            }
        }
        if (config.isEmpty()) {
            return;
        }
        launches.add(new Launch(kernel.name(), config, values));
    }

    @Override
    public void synchronize() {
    }

    @Override
    public int multiprocessors() {
        return 132;
    }

    @Override
    public int computeCapability() {
        return 90;
    }

    @Override
    public String description() {
        return "dry run";
    }

    @Override
    public VendorGemm vendorGemm() {
        return null;
    }

    @Override
    public VendorConv vendorConv() {
        return vendorConv;
    }

    /** Launches of one kernel. */
    List<Launch> of(String kernel) {
        return launches.stream().filter(l -> l.kernel().equals(kernel)).toList();
    }
}
