using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>
/// Counts failed authentications per client address in a fixed window (an IPv6 address counts with its /64, so that
/// one host cannot spray its own prefix). An address over <see cref="ArchiveAuthOptions.MaxFailedAuthentications"/>
/// is throttled until its window ends: its further attempts answer 429 without their credential being looked up,
/// except a credential known to this process (<see cref="ApiKeyStore.IsKnownAsync"/>, or a bearer token that
/// validates) — so a valid key behind the same NAT or proxy is never refused because of someone else's failures.
/// In memory, per process, bounded to <see cref="MaxTrackedAddresses"/> addresses.
/// </summary>
public sealed class AuthenticationFailureTracker
{
    /// <summary>Most addresses tracked at once; beyond it, expired windows and then addresses under the limit are dropped, and a new address is not tracked until room is made.</summary>
    public const int MaxTrackedAddresses = 100_000;

    /// <summary><see cref="Microsoft.AspNetCore.Http.HttpContext.Items"/> key set while a throttled request's credential is checked (its failure is then logged and counted, not audited).</summary>
    internal static readonly object ThrottledItem = new();

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<ArchiveAuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly Lock _sweep = new();

    /// <summary>Creates the tracker.</summary>
    /// <param name="options">Authentication options (limit and window).</param>
    /// <param name="time">Clock (optional).</param>
    public AuthenticationFailureTracker(IOptionsMonitor<ArchiveAuthOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many addresses are tracked now.</summary>
    public int Count => _windows.Count;

    /// <summary>The key an address is counted under: the IPv4 address (also when IPv4-mapped), an IPv6 address's /64 prefix, or <c>unknown</c>.</summary>
    public static string KeyOf(string? client)
    {
        if (client is null || !IPAddress.TryParse(client, out var address))
        {
            return client is null ? "unknown" : client;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>Records one failed authentication from <paramref name="client"/>.</summary>
    public void RecordFailure(string? client)
    {
        var key = KeyOf(client);
        var now = _time.GetUtcNow();
        var span = _options.CurrentValue.FailureWindow;
        if (!_windows.ContainsKey(key) && _windows.Count >= MaxTrackedAddresses && !MakeRoom(now, span))
        {
            return;
        }

        _windows.AddOrUpdate(key, _ => new Window(now, 1), (_, w) => w.Start + span <= now ? new Window(now, 1) : w with { Count = w.Count + 1 });
    }

    /// <summary>Whether <paramref name="client"/> is over its failure budget, and for how long.</summary>
    public bool IsThrottled(string? client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var options = _options.CurrentValue;
        if (options.MaxFailedAuthentications <= 0 || !_windows.TryGetValue(KeyOf(client), out var window))
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

    private bool MakeRoom(DateTimeOffset now, TimeSpan span)
    {
        lock (_sweep)
        {
            if (_windows.Count < MaxTrackedAddresses)
            {
                return true;
            }

            var limit = Math.Max(1, _options.CurrentValue.MaxFailedAuthentications);
            foreach (var kv in _windows)
            {
                if (kv.Value.Start + span <= now)
                {
                    _windows.TryRemove(kv.Key, out _);
                }
            }

            if (_windows.Count >= MaxTrackedAddresses * 9 / 10)
            {
                // Addresses still under the limit lose their count (they are not throttled; the throttled ones stay).
                foreach (var kv in _windows)
                {
                    if (kv.Value.Count < limit)
                    {
                        _windows.TryRemove(kv.Key, out _);
                    }
                }
            }

            return _windows.Count < MaxTrackedAddresses;
        }
    }

    private sealed record Window(DateTimeOffset Start, int Count);
}
