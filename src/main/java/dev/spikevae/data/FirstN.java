package dev.spikevae.data;

/** The first {@code n} images of another dataset (a view: nothing is copied). */
final class FirstN implements ImageDataset {
    private final ImageDataset data;
    private final int n;
    private final String name;

    FirstN(ImageDataset data, int n) {
        if (n < 0 || n > data.size()) {
            throw new IllegalArgumentException("first " + n + " images of " + data.name() + " asked, but it has "
                    + data.size());
        }
        this.data = data;
        this.n = n;
        this.name = data.name() + "[:" + n + "]";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int channels() {
        return data.channels();
    }

    @Override
    public int height() {
        return data.height();
    }

    @Override
    public int width() {
        return data.width();
    }

    @Override
    public void read(int index, float[] dst, int offset, boolean flip) {
        IndexCheck.check(name, index, n);
        data.read(index, dst, offset, flip);
    }

    @Override
    public int label(int index) {
        IndexCheck.check(name, index, n);
        return data.label(index);
    }
}
