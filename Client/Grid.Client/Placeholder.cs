namespace Grid.Client; internal static class Placeholder {}
