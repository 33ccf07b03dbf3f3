package dev.spikevae.nn;

import dev.spikevae.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Modules applied in order, registered as children "0", "1", ... (PyTorch's naming). */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public Sequential add(Module m) {
        layers.add(addModule(Integer.toString(layers.size()), m));
        return this;
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : layers) {
            h = m.forward(h);
        }
        return h;
    }
}
