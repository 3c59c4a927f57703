namespace Grid.Grains.Tests.Cluster;

/// <summary>
/// Retries of idempotent calls, as a client would after an error of unknown outcome.
/// </summary>
public static class Retry
{
    /// <summary>
    /// Calls until it returns, retrying any failure except a bad argument (those are final).
    /// Bounded, so a call that never succeeds fails the test.
    /// </summary>
    public static async Task<T> UntilSuccessAsync<T>(Func<Task<T>> call, int attempts = 200)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (exception is not ArgumentException
                && attempt < attempts)
            {
                await Task.Delay(25);
            }
        }
    }

    /// <summary>
    /// Polls until <paramref name="done"/> holds, failing after a generous bound.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await UntilSuccessAsync(read);
            if (done(value))
                return value;
            Assert.True(DateTime.UtcNow < deadline, $"Condition not reached; last value {value}.");
            await Task.Delay(25);
        }
    }
}
