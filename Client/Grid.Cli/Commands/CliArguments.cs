using System.Globalization;
using Grid.Grains.Matching;

namespace Grid.Cli.Commands;

/// <summary>
/// Parses the client commands' words and numbers with messages that say what was expected. Each
/// throws an <see cref="ArgumentException"/> (exit 2) on bad input.
/// </summary>
internal static class CliArguments
{
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
    /// An exception's message for one line on standard error: an ArgumentException loses the
    /// " (Parameter 'x')" suffix and the "Actual value" line, which repeat what it says.
    /// </summary>
    public static string Message(Exception exception)
    {
        var message = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            var newline = message.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                message = message[..newline].TrimEnd('\r');
            }

            var suffix = $" (Parameter '{parameter}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }
}
