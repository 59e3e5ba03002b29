using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>
/// Counts failed authentications per client address in a fixed window; an address over
/// <see cref="ArchiveAuthOptions.MaxFailedAuthentications"/> is locked out (429 on requests with credentials) until its
/// window ends. In memory, per process.
/// </summary>
public sealed class AuthenticationFailureTracker
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<ArchiveAuthOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the tracker.</summary>
    /// <param name="options">Authentication options (limit and window).</param>
    /// <param name="time">Clock (optional).</param>
    public AuthenticationFailureTracker(IOptionsMonitor<ArchiveAuthOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Records one failed authentication from <paramref name="client"/>.</summary>
    public void RecordFailure(string? client)
    {
        var key = client ?? "unknown";
        var now = _time.GetUtcNow();
        var span = _options.CurrentValue.FailureWindow;
        if (_windows.Count > 100_000)
        {
            foreach (var stale in _windows.Where(kv => kv.Value.Start + span <= now).Select(kv => kv.Key).ToList())
            {
                _windows.TryRemove(stale, out _);
            }
        }

        _windows.AddOrUpdate(key, _ => new Window(now, 1), (_, w) => w.Start + span <= now ? new Window(now, 1) : w with { Count = w.Count + 1 });
    }

    /// <summary>Whether <paramref name="client"/> is locked out, and for how long.</summary>
    public bool IsLockedOut(string? client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var options = _options.CurrentValue;
        if (options.MaxFailedAuthentications <= 0 || !_windows.TryGetValue(client ?? "unknown", out var window))
        {
            return false;
        }

        var end = window.Start + options.FailureWindow;
        var now = _time.GetUtcNow();
        if (window.Count < options.MaxFailedAuthentications || end <= now)
        {
            return false;
        }

        retryAfter = end - now;
        return true;
    }

    private sealed record Window(DateTimeOffset Start, int Count);
}
