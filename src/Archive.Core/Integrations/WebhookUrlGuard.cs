using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Archive.Integrations;

/// <summary>
/// The SSRF rules of webhook URLs: http or https only, no user information, and — unless
/// <see cref="WebhookOptions.AllowPrivateNetworks"/> or the host is in <see cref="WebhookOptions.AllowedHosts"/> — no
/// loopback, link-local, private (RFC 1918, carrier-grade NAT), unique-local, multicast, broadcast or unspecified
/// address, nor an address of this host. Checked when a subscription is made (every address the name resolves to) and
/// again for the address actually connected to (<see cref="ConnectAsync"/>, the delivery handler's connect callback), so
/// a name re-pointed after the check (DNS rebinding) is refused too.
/// </summary>
public sealed class WebhookUrlGuard
{
    private readonly WebhookOptions _options;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>Creates the guard.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="resolve">Name resolution (default <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>; tests).</param>
    public WebhookUrlGuard(WebhookOptions options, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    /// <summary>Checks a subscription URL; returns it normalised (absolute URI string).</summary>
    /// <exception cref="ArchiveValidationException">Field <c>url</c>, rules <see cref="WebhookRules.UrlFormat"/>, <see cref="WebhookRules.UrlScheme"/>, <see cref="WebhookRules.UrlPrivate"/>, <see cref="WebhookRules.UrlUnresolved"/>.</exception>
    public async ValueTask<Uri> CheckAsync(string? url, CancellationToken cancellationToken = default)
    {
        const string Field = "url";
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            throw new ArchiveValidationException(Field, WebhookRules.UrlFormat, "'url' must be an absolute http(s) URL of at most 2,000 characters.");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArchiveValidationException(Field, WebhookRules.UrlScheme, $"'url' must use http or https, not '{uri.Scheme}'.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new ArchiveValidationException(Field, WebhookRules.UrlFormat, "'url' must not carry user information or a fragment (the secret signs deliveries).");
        }

        if (IsAllowedHost(uri.IdnHost))
        {
            return uri;
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(uri.IdnHost, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                addresses = [];
            }

            if (addresses.Length == 0)
            {
                throw new ArchiveValidationException(Field, WebhookRules.UrlUnresolved, $"The host '{uri.IdnHost}' of 'url' does not resolve.");
            }
        }

        foreach (var address in addresses)
        {
            if (IsForbidden(address))
            {
                throw new ArchiveValidationException(Field, WebhookRules.UrlPrivate, $"The host '{uri.IdnHost}' of 'url' is or resolves to a loopback, link-local, private, unique-local, multicast or unspecified address, or to this server ({address}); such targets are refused unless Archive:Webhooks:AllowPrivateNetworks or AllowedHosts allows them.");
            }
        }

        return uri;
    }

    /// <summary>
    /// Connects to <paramref name="endPoint"/> for a delivery (a <c>SocketsHttpHandler.ConnectCallback</c>): resolves the
    /// name, refuses every address the rules forbid (also when the name now resolves elsewhere than when it was checked),
    /// and connects to the first allowed one.
    /// </summary>
    /// <exception cref="HttpRequestException">Every address is forbidden or unreachable.</exception>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await _resolve(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = IsAllowedHost(endPoint.Host) ? addresses : addresses.Where(a => !IsForbidden(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"{WebhookRules.UrlPrivate}: '{endPoint.Host}' resolves only to addresses webhooks may not reach.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether deliveries may not reach <paramref name="address"/> under the current settings.</summary>
    public bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return !_options.AllowPrivateNetworks && (IsPrivateOrSpecial(address) || IsOwnAddress(address));
    }

    /// <summary>Whether <paramref name="address"/> is loopback, link-local, private, CGNAT, unique-local, multicast, broadcast, unspecified or otherwise not a public unicast address.</summary>
    public static bool IsPrivateOrSpecial(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 0 // "this network", 0.0.0.0
                || b[0] == 10
                || b[0] == 127
                || (b[0] == 100 && (b[1] & 0xC0) == 64) // 100.64/10 carrier-grade NAT
                || (b[0] == 169 && b[1] == 254) // link-local
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
                || (b[0] == 198 && (b[1] & 0xFE) == 18) // benchmarking
                || b[0] >= 224; // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            return address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                || (b[0] & 0xFE) == 0xFC // fc00::/7
                || (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0) // ::/96 (IPv4-compatible)
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && IsPrivateOrSpecial(new IPAddress(b[12..]))); // NAT64 of a private v4
        }

        return true;
    }

    private static bool IsOwnAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.Equals(address))
                    {
                        return true;
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            return false;
        }

        return false;
    }

    private bool IsAllowedHost(string host) => _options.AllowedHosts.Any(h => string.Equals(h?.Trim(), host, StringComparison.OrdinalIgnoreCase));
}
