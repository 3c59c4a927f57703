using System.Globalization;
using Grid.Grains.Matching;

namespace Grid.Cli.Commands;

/// <summary>
/// Parses the client commands' words and numbers with messages that say what was expected. Each
/// throws an <see cref="ArgumentException"/> (exit 2) on bad input.
/// </summary>
internal static class CliArguments
{
    /// <summary>Exceptions of a chain that <see cref="Message"/> shows.</summary>
    private const int MessageDepthMax = 6;

    /// <summary>A positive whole number: amounts, quantities, prices, order ids.</summary>
    public static long Positive(string text, string name, string what)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value <= 0)
        {
            throw new ArgumentException($"{name} must be {what}, not '{text}'");
        }

        return value;
    }

    public static long Amount(string text, string name = "AMOUNT") =>
        Positive(text, name, "a positive whole number of minor units (1250 for 12.50)");

    public static long Quantity(string text, string name = "QTY") =>
        Positive(text, name, "a positive whole quantity");

    public static long Price(string text, string name = "--price") =>
        Positive(text, name, "a positive whole price in ticks");

    public static long OrderId(string text, string name = "ORDERID") =>
        Positive(text, name, "a positive order id");

    public static Side Side(string text) => text.ToUpperInvariant() switch
    {
        "BUY" => Grains.Matching.Side.Buy,
        "SELL" => Grains.Matching.Side.Sell,
        _ => throw new ArgumentException($"SIDE must be buy or sell, not '{text}'"),
    };

    public static TimeInForce TimeInForce(string text) => text.ToUpperInvariant() switch
    {
        "GTC" => Grains.Matching.TimeInForce.GoodTillCancel,
        "IOC" => Grains.Matching.TimeInForce.ImmediateOrCancel,
        "FOK" => Grains.Matching.TimeInForce.FillOrKill,
        _ => throw new ArgumentException($"--tif must be gtc, ioc or fok, not '{text}'"),
    };

    /// <summary>
    /// An exception's message for one line on standard error: the first line of each message
    /// down the chain of inner exceptions, joined by ": " (a grain's storage failure arrives as
    /// Orleans' "Error from storage provider ..." wrapping the provider's reason, with stack
    /// traces in its message). An ArgumentException loses the " (Parameter 'x')" suffix and the
    /// "Actual value" line, which repeat what it says.
    /// </summary>
    public static string Message(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>(MessageDepthMax);
        for (var current = exception;
            current is not null && parts.Count < MessageDepthMax;
            current = current.InnerException)
        {
            var line = FirstLine(current);
            // A wrapper often repeats its inner exception's message: say it once.
            if (line.Length > 0 && !parts.Exists(p => p.Contains(line, StringComparison.Ordinal)))
            {
                parts.Add(line);
            }

            if (current is AggregateException)
            {
                break; // Its message already lists its inner exceptions'.
            }
        }

        return parts.Count > 0 ? string.Join(": ", parts) : exception.GetType().Name;
    }

    private static string FirstLine(Exception exception)
    {
        var message = exception.Message;
        var newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            message = message[..newline];
        }

        message = message.Trim();
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            var suffix = $" (Parameter '{parameter}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }
}
