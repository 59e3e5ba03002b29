using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>
/// <see cref="ForwardedHeadersOptions"/> from <see cref="ArchiveApiOptions.TrustedProxies"/> and
/// <see cref="ArchiveApiOptions.TrustedNetworks"/>: <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are applied
/// only when the immediate peer is one of them, hop by hop (each further forwarded address only while the one before
/// it is trusted too); the framework's default trust of loopback is removed, so nothing is believed unless configured.
/// </summary>
internal static class ArchiveForwardedHeaders
{
    public static void AddOptions(IServiceCollection services)
        => services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ArchiveApiOptions>>((o, api) => Configure(o, api.Value));

    internal static void Configure(ForwardedHeadersOptions o, ArchiveApiOptions api)
    {
        if (!api.UsesForwardedHeaders)
        {
            return;
        }

        o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        o.ForwardLimit = null;
        o.KnownProxies.Clear();
        o.KnownIPNetworks.Clear();
        foreach (var proxy in api.TrustedProxies.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            if (IPAddress.TryParse(proxy.Trim(), out var address))
            {
                o.KnownProxies.Add(address);
                if (address.IsIPv4MappedToIPv6 || address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    // Kestrel may report an IPv4 peer as IPv4-mapped IPv6 on a dual-stack socket.
                    o.KnownProxies.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address.MapToIPv6());
                }
            }
        }

        foreach (var network in api.TrustedNetworks.Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            if (System.Net.IPNetwork.TryParse(network.Trim(), out var parsed))
            {
                o.KnownIPNetworks.Add(parsed);
            }
        }
    }
}
