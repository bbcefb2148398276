package dev.silk.interop.dubbo;

public enum Color {
    RED,
    GREEN,
    BLUE
}
