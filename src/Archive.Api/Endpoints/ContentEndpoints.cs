using System.Globalization;
using System.Text;
using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Hosting;
using Archive.IO;
using Archive.Records;
using Archive.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Endpoints;

/// <summary>
/// Content files of documents. Upload: <c>PUT .../contents/{fileName}</c> with the raw bytes as the body (not
/// multipart), streamed into the engine; the file name is the last path segment (percent-encoded UTF-8), the
/// media type is the request's Content-Type (sniffed when <c>application/octet-stream</c>), an optional
/// <c>sha256</c> query parameter is verified. Download: <c>GET</c> the same URL, with Range (206/416), ETag
/// (the SHA-256) and If-None-Match (304).
/// </summary>
internal static class ContentEndpoints
{
    private const string Route = "/record-files/{fileCode}/documents/{docOrdinal:int}/contents/{fileName}";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPut(Route, Upload).WithTags("Contents").WithName("UploadContent").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Upload a content file (raw body, streamed); a file with the same name is replaced in a new version")
            .WithDescription("Send the file's bytes as the request body (not multipart/form-data). Content-Type becomes the media type "
                + "(application/octet-stream: sniffed from the content; a type the content contradicts, e.g. HTML sent as application/pdf, "
                + "answers 422 mediaType content.media-type-mismatch). Optional query sha256 = expected hex SHA-256. "
                + "The size limit is Archive:MaxUploadBytes (413 beyond). If-Match optional.")
            .Accepts<Stream>("application/octet-stream", "application/pdf", "*/*")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        routes.MapGet(Route, Download).WithTags("Contents").WithName("DownloadContent").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Download a content file (Range, ETag = SHA-256, If-None-Match)")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .Produces<Stream>(StatusCodes.Status206PartialContent, "application/octet-stream")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status416RangeNotSatisfiable);
        routes.MapDelete(Route, Remove).WithTags("Contents").WithName("RemoveContent").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Remove a content file from a document in a new version (earlier versions keep it)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
    }

    private static async Task<Ok<RecordFileDto>> Upload(
        string fileCode,
        int docOrdinal,
        string fileName,
        [FromQuery] string? sha256,
        [FromQuery] string? wait,
        [FromQuery] int? timeoutMs,
        HttpContext http,
        RecordFileService files,
        ArchiveApiMapper mapper,
        IOptions<ArchiveOptions> archiveOptions,
        CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var request = http.Request;
        var limit = archiveOptions.Value.MaxUploadBytes;
        string? mediaType = null;
        if (!string.IsNullOrEmpty(request.ContentType))
        {
            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            {
                throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.format", $"'{request.ContentType}' is not a media type.");
            }

            var t = type.MediaType.Value ?? string.Empty;
            if (t.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) || t.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.raw-body-required", "Send the file's bytes as the request body (e.g. curl --data-binary @file.pdf), not as a form.");
            }

            mediaType = t.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) ? null : t;
        }

        if (request.ContentLength is { } declared && declared > limit)
        {
            throw new ContentTooLargeException("content", limit);
        }

        var expected = ETags.ExpectedVersion(request, required: false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);

        // Let the server accept bodies up to the configured limit on this endpoint only; the stream below enforces it.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit == long.MaxValue ? null : limit + 1;
        }

        var body = new LimitedReadStream(request.Body, limit, "content");
        await using (body.ConfigureAwait(false))
        {
            var upload = new ContentUpload
            {
                FileName = NameOf(http, fileName),
                Content = body,
                MediaType = mediaType,
                ExpectedSha256 = string.IsNullOrEmpty(sha256) ? null : sha256,
            };
            var result = await files.AddContentAsync(fileCode, docOrdinal, upload, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
            return await RecordFileEndpoints.WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> Download(
        string fileCode,
        int docOrdinal,
        string fileName,
        [FromQuery] int? version,
        HttpContext http,
        RecordFileService files,
        CancellationToken cancellationToken)
    {
        var head = await ArchiveScope.VisibleAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var file = version is { } v && v != head.Version
            ? await files.GetVersionAsync(fileCode, v, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("version", $"{fileCode}/v{v}")
            : head;
        var name = NameOf(http, fileName).Normalize(NormalizationForm.FormC);
        var document = file.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal) ?? throw new ArchiveNotFoundException("document", $"{fileCode}/{docOrdinal}");
        var content = document.Contents.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
            ?? throw new ArchiveNotFoundException("content", $"{fileCode}/{docOrdinal}/{name}");

        var request = http.Request;
        var response = http.Response;
        var etag = new EntityTagHeaderValue(ETags.ForContent(content.Sha256));
        response.Headers.ETag = etag.ToString();
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = "private, no-cache";

        var headers = request.GetTypedHeaders();
        if (headers.IfNoneMatch is { Count: > 0 } noneMatch && noneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var length = content.Length;
        ByteRange? range = null;
        if (request.Headers.Range.Count > 0 && IfRangeHolds(headers, etag))
        {
            range = ResolveRange(headers.Range, length, response);
        }

        await ArchiveScope.AuditReadAsync(http, Archive.Audit.AuditActions.ContentRead, "content", $"{fileCode}/{docOrdinal}/{name}", range is { } r ? $"v{file.Version} bytes {r.Offset}+{r.Length?.ToString(CultureInfo.InvariantCulture) ?? "*"}" : $"v{file.Version}", cancellationToken).ConfigureAwait(false);
        var opened = await files.OpenContentAsync(fileCode, docOrdinal, name, range, file.Version, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("content", $"{fileCode}/{docOrdinal}/{name}");
        return new ContentStreamResult(opened, content, range, length);
    }

    private static async Task<Ok<RecordFileDto>> Remove(string fileCode, int docOrdinal, string fileName, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        _ = await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false);
        var result = await files.RemoveContentAsync(fileCode, docOrdinal, NameOf(http, fileName), expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await RecordFileEndpoints.WrittenAsync(http, files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The content name from the route, after checking the name's percent-encoding as the client sent it: every '%'
    /// followed by two hexadecimal digits and the escaped bytes valid UTF-8 (the server leaves a malformed escape
    /// such as <c>%ZZ</c> or <c>%C3%28</c> in the value as it came, which would name another file than intended).
    /// </summary>
    /// <exception cref="ApiRequestException">400 <c>file-name.percent-encoding</c>.</exception>
    private static string NameOf(HttpContext http, string fileName)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw))
        {
            var end = raw.IndexOfAny(['?', '#']);
            var path = end >= 0 ? raw[..end] : raw;
            var segment = path[(path.LastIndexOf('/') + 1)..];
            if (!WellFormedEscapes(segment))
            {
                throw ApiRequestException.BadRequest("fileName", "file-name.percent-encoding", "The file name in the URL is not well percent-encoded: each '%' must start an escape of two hexadecimal digits and the escaped bytes must be UTF-8 (write '%' itself as %25).");
            }
        }

        return UnescapeSlashes(fileName);
    }

    private static bool WellFormedEscapes(string segment)
    {
        var bytes = new List<byte>(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c != '%')
            {
                if (c > 0x7F)
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                }
                else
                {
                    bytes.Add((byte)c);
                }

                continue;
            }

            if (i + 2 >= segment.Length || !Uri.IsHexDigit(segment[i + 1]) || !Uri.IsHexDigit(segment[i + 2]))
            {
                return false;
            }

            bytes.Add(byte.Parse(segment.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            i += 2;
        }

        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>
    /// The server decodes every percent-escape of a path segment except <c>%2F</c>; decode it too so that a name such
    /// as <c>..%2F..%2Fetc</c> reaches the engine as the path it is (and is refused by its file-name rules).
    /// </summary>
    private static string UnescapeSlashes(string segment)
        => segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase).Replace("%5C", "\\", StringComparison.OrdinalIgnoreCase);

    private static bool IfRangeHolds(Microsoft.AspNetCore.Http.Headers.RequestHeaders headers, EntityTagHeaderValue etag)
    {
        var ifRange = headers.IfRange;
        if (ifRange is null)
        {
            return true;
        }

        // If-Range with a date cannot be evaluated strongly here: serve the whole content (RFC 9110 13.1.5).
        return ifRange.EntityTag is { } tag && tag.Compare(etag, useStrongComparison: true);
    }

    /// <summary>Resolves a single byte range; null (serve everything) for other units or several ranges; 416 when unsatisfiable.</summary>
    private static ByteRange? ResolveRange(RangeHeaderValue? header, long length, HttpResponse response)
    {
        if (header is null || !string.Equals(header.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1)
        {
            return null;
        }

        var r = header.Ranges.First();
        long offset;
        long count;
        if (r.From is null)
        {
            var suffix = r.To ?? 0;
            if (suffix <= 0 || length == 0)
            {
                throw NotSatisfiable(length, response);
            }

            count = Math.Min(suffix, length);
            offset = length - count;
        }
        else
        {
            offset = r.From.Value;
            if (offset >= length)
            {
                throw NotSatisfiable(length, response);
            }

            var last = r.To is { } to ? Math.Min(to, length - 1) : length - 1;
            count = last - offset + 1;
        }

        return new ByteRange(offset, count);
    }

    private static ApiRequestException NotSatisfiable(long length, HttpResponse response)
    {
        response.Headers.ContentRange = "bytes */" + length.ToString(CultureInfo.InvariantCulture);
        return new ApiRequestException(StatusCodes.Status416RangeNotSatisfiable, "Range", "range.not-satisfiable", $"The range does not overlap the content ({length} bytes).");
    }

    /// <summary>Streams an opened content file: 200 with the whole content or 206 with Content-Range.</summary>
    private sealed class ContentStreamResult(RecordContent opened, ContentFile file, ByteRange? range, long length) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using (opened.ConfigureAwait(false))
            {
                var response = httpContext.Response;
                response.ContentType = file.MediaType;
                var disposition = new ContentDispositionHeaderValue("attachment");
                disposition.SetHttpFileName(file.Name);
                response.Headers.ContentDisposition = disposition.ToString();
                long count;
                if (range is { } r)
                {
                    count = r.Length ?? (length - r.Offset);
                    response.StatusCode = StatusCodes.Status206PartialContent;
                    response.Headers.ContentRange = $"bytes {r.Offset.ToString(CultureInfo.InvariantCulture)}-{(r.Offset + count - 1).ToString(CultureInfo.InvariantCulture)}/{length.ToString(CultureInfo.InvariantCulture)}";
                    response.ContentLength = count;
                }
                else
                {
                    count = length;
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentLength = length;
                }

                // Copy exactly the bytes announced, whatever the store's stream does past the range.
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
                try
                {
                    var left = count;
                    while (left > 0)
                    {
                        var read = await opened.Content.Stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), httpContext.RequestAborted).ConfigureAwait(false);
                        if (read == 0)
                        {
                            throw new IOException($"The stored content '{file.Name}' ended {left} bytes early.");
                        }

                        await response.Body.WriteAsync(buffer.AsMemory(0, read), httpContext.RequestAborted).ConfigureAwait(false);
                        left -= read;
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }
}
