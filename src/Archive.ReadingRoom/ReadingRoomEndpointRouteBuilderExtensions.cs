using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Archive.ReadingRoom;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the researcher reading room page.</summary>
public static class ReadingRoomEndpointRouteBuilderExtensions
{
    /// <summary>
    /// The page's Content-Security-Policy: scripts, styles and API calls from this origin only; content viewed in the
    /// page comes as <c>blob:</c> URLs made from API responses; no inline script, no plugins from elsewhere, not framed.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
        + "frame-src 'self' blob:; object-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly ConcurrentDictionary<string, (byte[] Bytes, string ETag)> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Maps the reading room at <paramref name="prefix"/> (e.g. <c>/reading-room</c>): the page, its script and style,
    /// all embedded in this package (no CDN, no build step). The page is a client of the Archive REST endpoints at
    /// <see cref="ReadingRoomOptions.ApiBase"/>: what it shows is exactly what the API gives the same caller (an
    /// anonymous reader gets researcher rights when the host enables <c>Archive:Api:AnonymousReadingRoom</c>). The
    /// page's own files carry no data and are served to anyone.
    /// </summary>
    /// <param name="endpoints">The application or a route group.</param>
    /// <param name="prefix">Where the page is served.</param>
    /// <param name="configure">Sets the options (API base path, title).</param>
    /// <returns>The group holding the page's endpoints.</returns>
    public static RouteGroupBuilder MapReadingRoom(this IEndpointRouteBuilder endpoints, string prefix = "/reading-room", Action<ReadingRoomOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var options = new ReadingRoomOptions();
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(options.ApiBase) || !options.ApiBase.StartsWith('/') || options.ApiBase.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException("ReadingRoomOptions.ApiBase must be a path on this host, such as /api.", nameof(configure));
        }

        var apiBase = options.ApiBase.TrimEnd('/');
        var group = endpoints.MapGroup(prefix);
        group.WithTags("Reading room").ExcludeFromDescription().AllowAnonymous();
        group.MapGet("/", (HttpContext http) =>
        {
            // "/reading-room" without the slash matches too: the page's relative links need the trailing one.
            var path = http.Request.Path.Value ?? string.Empty;
            if (!path.EndsWith('/'))
            {
                return Results.Redirect(http.Request.PathBase + path + "/");
            }

            return Serve(http, "index.html", "text/html; charset=utf-8", html => html
                .Replace("{{apiBase}}", WebUtility.HtmlEncode(apiBase), StringComparison.Ordinal)
                .Replace("{{title}}", WebUtility.HtmlEncode(options.Title), StringComparison.Ordinal));
        });
        group.MapGet("/app.js", (HttpContext http) => Serve(http, "app.js", "text/javascript; charset=utf-8", null));
        group.MapGet("/app.css", (HttpContext http) => Serve(http, "app.css", "text/css; charset=utf-8", null));
        return group;
    }

    private static IResult Serve(HttpContext http, string name, string contentType, Func<string, string>? transform)
    {
        var (bytes, etag) = Cache.GetOrAdd(transform is null ? name : name + "|" + http.Request.PathBase, _ =>
        {
            var raw = Read(name);
            var b = transform is null ? raw : Encoding.UTF8.GetBytes(transform(Encoding.UTF8.GetString(raw)));
            return (b, "\"" + Convert.ToHexStringLower(SHA256.HashData(b))[..16] + "\"");
        });
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(bytes, contentType);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(ReadingRoomOptions).Assembly.GetManifestResourceStream("Archive.ReadingRoom." + name)
            ?? throw new InvalidOperationException($"The reading room resource '{name}' is missing from {typeof(ReadingRoomOptions).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
