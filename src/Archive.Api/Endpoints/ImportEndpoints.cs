using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Hosting;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Archive.Api.Endpoints;

/// <summary>
/// <c>POST /record-files/import</c>: a whole record file — elements, documents and content files — in one request and
/// one package version (<see cref="RecordFileService.ImportAsync"/>). The body is <c>multipart/form-data</c>: first a
/// part named <c>manifest</c> (JSON, <see cref="RecordFileImportRequest"/>), then one part per content file, named as
/// the manifest says. Parts are streamed to temporary files as they arrive (memory does not grow with their size).
/// </summary>
internal static class ImportEndpoints
{
    private const string ManifestPart = "manifest";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/record-files/import", Import).WithTags("Record files").WithName("ImportRecordFile").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Import a whole record file (documents and content files) as one version")
            .WithDescription("multipart/form-data: first a part named 'manifest' (application/json: { file, documents: [{ document, contents: [{ part, fileName, mediaType?, sha256? }] }] }), "
                + "then one part per content file, its form name = contents[].part. Every rule is checked (all broken rules reported, fields named "
                + "documents[i].contents[j].fileName etc.) before anything is stored; each part may be up to Archive:MaxUploadBytes, and a part the "
                + "manifest does not name is refused (400 import.part-unused) as soon as it arrives.")
            .Accepts<RecordFileImportRequest>("multipart/form-data", "*/*").WithMetadata(new MultipartManifestMetadata(ManifestPart))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<Created<RecordFileDto>> Import([FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, IOptions<ArchiveOptions> archiveOptions, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var request = http.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "media-type.multipart-required", "Send multipart/form-data: a 'manifest' JSON part, then one part per content file.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw ApiRequestException.BadRequest("Content-Type", "multipart.boundary", "The multipart/form-data Content-Type has no boundary.");
        }

        var options = archiveOptions.Value;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Each part is limited below; the request as a whole may carry many of them.
            sizeFeature.MaxRequestBodySize = null;
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        var tempDir = options.ResolveTempPath();
        Directory.CreateDirectory(tempDir);
        var parts = new Dictionary<string, (string Path, string? MediaType)>(StringComparer.Ordinal);
        var streams = new List<Stream>();
        try
        {
            // The manifest comes first.
            var first = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
            if (first is null || PartName(first) != ManifestPart)
            {
                throw ApiRequestException.BadRequest(ManifestPart, "import.manifest-first", "The first part must be the JSON 'manifest'.");
            }

            var manifest = await JsonBody.DeserializeAsync<RecordFileImportRequest>(first.Body, http, ManifestPart, cancellationToken).ConfigureAwait(false);

            var fondsCode = manifest.File?.FondsCode ?? string.Empty;
            await ArchiveScope.RequireChangeAsync(http, fondsCode, "fonds", fondsCode, cancellationToken).ConfigureAwait(false);

            // Content parts, each streamed to a temporary file. Only parts the manifest names are accepted, so the request
            // can carry no more than the manifest's content files, each up to MaxUploadBytes.
            var expected = (manifest.Documents ?? []).SelectMany(d => d?.Contents ?? []).Select(c => c?.Part).OfType<string>().ToHashSet(StringComparer.Ordinal);
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                var name = PartName(section);
                if (string.IsNullOrEmpty(name) || name == ManifestPart || parts.ContainsKey(name))
                {
                    throw ApiRequestException.BadRequest(name ?? "part", "import.part-name", $"Every content part needs its own form name (got '{name}').");
                }

                if (!expected.Contains(name))
                {
                    throw ApiRequestException.BadRequest("parts[" + name + "]", "import.part-unused", $"The form part '{name}' is not named by any content of the manifest.");
                }

                var path = Path.Combine(tempDir, "import-" + Guid.NewGuid().ToString("N") + ".part");
                parts[name] = (path, section.ContentType);
                var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await using (target.ConfigureAwait(false))
                {
                    await new LimitedReadStream(section.Body, options.MaxUploadBytes, "parts[" + name + "]").CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }
            }

            var documents = new List<DocumentImport>();
            var used = new HashSet<string>(StringComparer.Ordinal);
            var errors = new List<ValidationError>();
            var docsIn = manifest.Documents ?? [];
            for (var i = 0; i < docsIn.Count; i++)
            {
                var contents = new List<ContentUpload>();
                var cs = docsIn[i]?.Contents ?? [];
                for (var j = 0; j < cs.Count; j++)
                {
                    var c = cs[j];
                    var field = $"documents[{i}].contents[{j}].part";
                    if (c?.Part is null || !parts.TryGetValue(c.Part, out var part))
                    {
                        errors.Add(new(field, "import.part-missing", $"No form part named '{c?.Part}' was sent."));
                        continue;
                    }

                    if (!used.Add(c.Part))
                    {
                        errors.Add(new(field, "import.part-reused", $"The form part '{c.Part}' is used twice."));
                        continue;
                    }

                    var stream = new FileStream(part.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
                    streams.Add(stream);
                    var mediaType = c.MediaType ?? (part.MediaType is { } t && !t.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) ? t : null);
                    contents.Add(new ContentUpload { FileName = c.FileName, MediaType = mediaType, ExpectedSha256 = string.IsNullOrEmpty(c.Sha256) ? null : c.Sha256, Content = stream });
                }

                documents.Add(new DocumentImport { Document = docsIn[i]?.Document is { } d ? mapper.Map<DocumentInput>(d) : null!, Contents = contents });
            }

            if (manifest.File is null)
            {
                errors.Add(new("file", "import.file-required", "The manifest needs the record file's elements ('file')."));
            }

            if (errors.Count > 0)
            {
                throw new ArchiveValidationException(errors);
            }

            var result = await files.ImportAsync(new RecordFileImport { File = RecordFileEndpoints.ToInput(manifest.File!, mapper), Documents = documents }, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
            ETags.SetVersion(http.Response, result.Stored.Version);
            return TypedResults.Created(Links.Sibling(http, result.Stored.Value.FileCode), await RecordFileEndpoints.ToDtoAsync(files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false));
        }
        catch (ArchiveConflictException ex) when (ex.Rule == ConflictRules.AlreadyExists && ex.Entity == "record-file")
        {
            await ArchiveScope.AuditCodeCollisionAsync(http, ex.Id, cancellationToken).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw ApiRequestException.BadRequest("body", "multipart.malformed", "The multipart body could not be read: " + ex.Message, ex);
        }
        finally
        {
            foreach (var s in streams)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var (path, _) in parts.Values)
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
    }

    private static string? PartName(MultipartSection section)
        => ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd) && cd.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(cd.Name).Value
            : null;
}
