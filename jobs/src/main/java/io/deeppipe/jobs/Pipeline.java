package io.deeppipe.jobs; public class Pipeline { public static void main(String[] a){} }
