namespace Grid.Persistence; internal static class Placeholder {}
