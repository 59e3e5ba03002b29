using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Http;

/// <summary>
/// Entity tags. Metadata resources (agency, fonds, record file, schedule) carry <c>"v{version}"</c>, the package
/// version (changes with every committed change); content downloads carry the content's SHA-256.
/// </summary>
public static class ETags
{
    /// <summary>The ETag of a package version, e.g. <c>"v3"</c>.</summary>
    public static string ForVersion(int version) => "\"v" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>The ETag of content: its quoted SHA-256.</summary>
    public static string ForContent(string sha256) => "\"" + sha256 + "\"";

    /// <summary>
    /// Reads <c>If-Match</c> as the version an update is based on. Null when absent (and not required) or <c>*</c>.
    /// </summary>
    /// <exception cref="ApiRequestException">428 when required and absent; 400 when malformed; 412 when a weak or foreign tag is given.</exception>
    public static int? ExpectedVersion(HttpRequest request, bool required)
    {
        ArgumentNullException.ThrowIfNull(request);
        var raw = request.Headers.IfMatch;
        if (raw.Count == 0 || string.IsNullOrWhiteSpace(raw.ToString()))
        {
            if (required)
            {
                throw new ApiRequestException(StatusCodes.Status428PreconditionRequired, "If-Match", "if-match.required", "This update replaces the resource: send If-Match with the ETag you read (e.g. If-Match: \"v3\") so that a concurrent change is not overwritten.");
            }

            return null;
        }

        if (!EntityTagHeaderValue.TryParseList(raw, out var tags) || tags.Count == 0)
        {
            throw ApiRequestException.BadRequest("If-Match", "if-match.format", "If-Match must be an entity tag such as \"v3\" or *.");
        }

        if (tags.Count == 1 && tags[0].Equals(EntityTagHeaderValue.Any))
        {
            return null;
        }

        if (tags.Count > 1)
        {
            throw ApiRequestException.BadRequest("If-Match", "if-match.single", "Send one entity tag in If-Match.");
        }

        var tag = tags[0];
        var text = tag.Tag.ToString().Trim('"');
        if (tag.IsWeak || text.Length < 2 || text[0] != 'v' || !int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            // RFC 9110: If-Match uses strong comparison; a tag that is not ours can never match.
            throw new ApiRequestException(StatusCodes.Status412PreconditionFailed, "If-Match", "version.mismatch", $"If-Match {tag} does not match the current entity tag.");
        }

        return version;
    }

    /// <summary>Sets <c>ETag</c> to the version's tag.</summary>
    public static void SetVersion(HttpResponse response, int version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = ForVersion(version);
    }
}
