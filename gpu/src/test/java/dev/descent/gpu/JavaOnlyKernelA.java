package dev.descent.gpu;

import com.aparapi.Kernel;

/** Cannot be translated to OpenCL (Aparapi: "NEW We don't support new instructions"), so Aparapi can only run it as Java. */
class JavaOnlyKernelA extends Kernel {
    int[] ran = new int[1];
    float[] out = new float[64];

    @Override
    public void run() {
        int i = getGlobalId(0);
        if (i == 0) {
            ran[0] = 1;
        }
        out[i] = Integer.toString(i).length();
    }
}
