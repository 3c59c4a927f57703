using System.Text;
using Grid.Grains.Kv;

namespace Grid.Client;

/// <summary>
/// The client-side checks of every facade argument, public so that a front end (the <c>grid</c>
/// command line) can check its input before it connects. Each throws an
/// <see cref="ArgumentException"/> whose message names the argument and the rule.
/// </summary>
public static class GridValidation
{
    /// <summary>
    /// Longest account id or operation id (deposit or transfer id), in UTF-16 characters: the
    /// account grain's limit (<c>AccountGrain.OperationIdLengthMax</c>), which refuses a longer
    /// id as a transfer's destination.
    /// </summary>
    public const int IdLengthMax = 128;

    /// <summary>
    /// Longest key or symbol, in UTF-8 bytes. The grain's storage key is the service id, grain
    /// type, this and the state name, and the SWARM layout holds 1024 bytes per storage key
    /// (<c>SwarmGrainStorageOptions.DefaultLayout</c>): half is left for the rest.
    /// </summary>
    public const int KeyBytesMax = 512;

    /// <summary>Most history entries, price levels or trades one call returns.</summary>
    public const int PageMax = 1000;

    public static void Key(string key, string name = "key") => StorageKeyPart(key, name);

    public static void AccountId(string accountId, string name = "accountId") =>
        Identifier(accountId, name);

    /// <summary>A deposit or transfer id: the idempotency key of a money movement.</summary>
    public static void OperationId(string operationId, string name = "operationId") =>
        Identifier(operationId, name);

    public static void Symbol(string symbol, string name = "symbol") =>
        StorageKeyPart(symbol, name);

    public static void Value(byte[] value, string name = "value")
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length > KvLimits.MaxValueBytes)
        {
            throw new ArgumentException(
                $"{name} is {value.Length:N0} bytes; " +
                $"a value holds at most {KvLimits.MaxValueBytes:N0}",
                name);
        }
    }

    /// <summary>Money: a positive whole number of minor units (cents).</summary>
    public static void Amount(long amount, string name = "amount") =>
        Positive(amount, name, "a positive number of minor units (cents)");

    public static void Quantity(long quantity, string name = "quantity") =>
        Positive(quantity, name, "a positive quantity");

    public static void Price(long price, string name = "price") =>
        Positive(price, name, "a positive price in ticks");

    public static void OrderId(long orderId, string name = "orderId") =>
        Positive(orderId, name, "a positive order id");

    /// <summary>A page size: 1..<see cref="PageMax"/>.</summary>
    public static void Count(int count, string name)
    {
        if (count is < 1 or > PageMax)
        {
            throw new ArgumentOutOfRangeException(
                name, count, $"{name} must be between 1 and {PageMax}, not {count}");
        }
    }

    /// <summary>An id of at most <see cref="IdLengthMax"/> characters.</summary>
    private static void Identifier(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0 || value.Length > IdLengthMax)
        {
            throw new ArgumentException(
                $"{name} must be 1-{IdLengthMax} characters, not {value.Length}", name);
        }

        Printable(value, name);
    }

    /// <summary>A key or symbol: at most <see cref="KeyBytesMax"/> bytes of UTF-8.</summary>
    private static void StorageKeyPart(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes == 0 || bytes > KeyBytesMax)
        {
            throw new ArgumentException(
                $"{name} must be 1-{KeyBytesMax} bytes of UTF-8, not {bytes}", name);
        }

        Printable(value, name);
    }

    private static void Printable(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} must not be blank", name);
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException(
                    $"{name} must not contain control characters (tab, newline, ...)", name);
            }
        }
    }

    private static void Positive(long value, string name, string what)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(
                name, value, $"{name} must be {what}, not {value}");
        }
    }
}
