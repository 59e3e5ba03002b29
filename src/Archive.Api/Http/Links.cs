using Microsoft.AspNetCore.Http;

namespace Archive.Api.Http;

/// <summary>Builds Location URLs relative to the request, so they follow whatever prefix the host mapped the group at.</summary>
internal static class Links
{
    /// <summary>The request path (a collection) + '/' + the escaped child id.</summary>
    public static string Child(HttpContext http, string id, params string[] more)
    {
        var path = (http.Request.PathBase + http.Request.Path).Value?.TrimEnd('/') ?? string.Empty;
        var url = path + "/" + Uri.EscapeDataString(id);
        foreach (var part in more)
        {
            url += "/" + Uri.EscapeDataString(part);
        }

        return url;
    }

    /// <summary>The request path's parent (the collection an action such as <c>/import</c> belongs to) + '/' + the escaped id.</summary>
    public static string Sibling(HttpContext http, string id)
    {
        var path = (http.Request.PathBase + http.Request.Path).Value?.TrimEnd('/') ?? string.Empty;
        return path[..(path.LastIndexOf('/') + 1)] + Uri.EscapeDataString(id);
    }
}
