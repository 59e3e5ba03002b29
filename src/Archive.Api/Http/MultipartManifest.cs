using Archive.Api.Contracts;
using Archive.IO;
using Archive.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Http;

/// <summary>
/// A <c>multipart/form-data</c> body of a JSON manifest part followed by one part per content file the manifest names
/// (<see cref="ContentImportRequest.Part"/>). Parts are streamed to temporary files as they arrive (memory does not
/// grow with their size), each up to <c>Archive:MaxUploadBytes</c>; a part the manifest does not name is refused as soon
/// as it arrives. Disposing closes the parts and deletes their files.
/// </summary>
internal sealed class MultipartManifest<T> : IAsyncDisposable
    where T : class
{
    private readonly Dictionary<string, (string Path, string? MediaType)> _parts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<Stream> _streams = [];

    private MultipartManifest(T manifest) => Manifest = manifest;

    /// <summary>The manifest.</summary>
    public T Manifest { get; }

    /// <summary>
    /// Reads the manifest part (named <paramref name="manifestPart"/>, first), lets <paramref name="authorize"/> check the
    /// caller may make the change it describes before any content is read, then spools the parts
    /// <paramref name="namedParts"/> names.
    /// </summary>
    /// <exception cref="ApiRequestException">415 not multipart; 400 no boundary, manifest not first, part unnamed, repeated or not named by the manifest, or malformed body.</exception>
    public static async Task<MultipartManifest<T>> ReadAsync(HttpContext http, string manifestPart, Func<T, IEnumerable<string?>> namedParts, Func<T, Task> authorize, string tempDir, long maxPartBytes, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.multipart-required", $"Send multipart/form-data: a '{manifestPart}' JSON part, then one part per content file.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw ApiRequestException.BadRequest("Content-Type", "multipart.boundary", "The multipart/form-data Content-Type has no boundary.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Each part is limited below; the request as a whole may carry many of them.
            sizeFeature.MaxRequestBodySize = null;
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        MultipartManifest<T>? result = null;
        try
        {
            var first = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
            if (first is null || PartName(first) != manifestPart)
            {
                throw ApiRequestException.BadRequest(manifestPart, "import.manifest-first", $"The first part must be the JSON '{manifestPart}'.");
            }

            result = new MultipartManifest<T>(await JsonBody.DeserializeAsync<T>(first.Body, http, manifestPart, cancellationToken).ConfigureAwait(false));
            await authorize(result.Manifest).ConfigureAwait(false);

            var expected = namedParts(result.Manifest).OfType<string>().ToHashSet(StringComparer.Ordinal);
            Directory.CreateDirectory(tempDir);
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                var name = PartName(section);
                if (string.IsNullOrEmpty(name) || name == manifestPart || result._parts.ContainsKey(name))
                {
                    throw ApiRequestException.BadRequest(name ?? "part", "import.part-name", $"Every content part needs its own form name (got '{name}').");
                }

                if (!expected.Contains(name))
                {
                    throw ApiRequestException.BadRequest("parts[" + name + "]", "import.part-unused", $"The form part '{name}' is not named by any content of the {manifestPart}.");
                }

                var path = Path.Combine(tempDir, "import-" + Guid.NewGuid().ToString("N") + ".part");
                result._parts[name] = (path, section.ContentType);
                var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await using (target.ConfigureAwait(false))
                {
                    await new LimitedReadStream(section.Body, maxPartBytes, "parts[" + name + "]").CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }
            }

            return result;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            if (result is not null)
            {
                await result.DisposeAsync().ConfigureAwait(false);
            }

            throw ApiRequestException.BadRequest("body", "multipart.malformed", "The multipart body could not be read: " + ex.Message, ex);
        }
        catch
        {
            if (result is not null)
            {
                await result.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The content uploads of one manifest entry's contents, reading their parts; a content naming no sent part, or a
    /// part already used, is added to <paramref name="errors"/> under <c>{prefix}[j].part</c>.
    /// </summary>
    public List<ContentUpload> Contents(IReadOnlyList<ContentImportRequest?>? contents, string prefix, List<ValidationError> errors)
    {
        var uploads = new List<ContentUpload>();
        contents ??= [];
        for (var j = 0; j < contents.Count; j++)
        {
            var c = contents[j];
            var field = $"{prefix}[{j}].part";
            if (c?.Part is null || !_parts.TryGetValue(c.Part, out var part))
            {
                errors.Add(new(field, "import.part-missing", $"No form part named '{c?.Part}' was sent."));
                continue;
            }

            if (!_used.Add(c.Part))
            {
                errors.Add(new(field, "import.part-reused", $"The form part '{c.Part}' is used twice."));
                continue;
            }

            var stream = new FileStream(part.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
            _streams.Add(stream);
            var mediaType = c.MediaType ?? (part.MediaType is { } t && !t.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) ? t : null);
            uploads.Add(new ContentUpload { FileName = c.FileName, MediaType = mediaType, ExpectedSha256 = string.IsNullOrEmpty(c.Sha256) ? null : c.Sha256, Content = stream });
        }

        return uploads;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var s in _streams)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var (path, _) in _parts.Values)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string? PartName(MultipartSection section)
        => ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd) && cd.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(cd.Name).Value
            : null;
}
