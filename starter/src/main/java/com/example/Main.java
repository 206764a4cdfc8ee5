package com.example;

/**
 * {@code java --add-modules jdk.incubator.vector -jar target/descent-starter.jar [java|kotlin]}: runs
 * the Java training script (the default) or the Kotlin one.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // log records on one line ("WARNING: descent: ..."), unless -Djava.util.logging... says otherwise
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        String script = args.length == 0 ? "java" : args[0];
        try {
            switch (script) {
                case "java" -> JavaTraining.run();
                case "kotlin" -> KotlinTraining.run();
                default -> {
                    System.err.println("usage: java --add-modules jdk.incubator.vector -jar descent-starter.jar"
                            + " [java|kotlin] (got '" + script + "')");
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException e) {
            // Descent's spec and backend errors say what is wrong and what to change (e.g. -Ddescent.backend=simd
            // without the Vector API names the flag to add): the message is enough
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
