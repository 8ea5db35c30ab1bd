#include "export/assimp_scene.h"

#include <algorithm>
#include <assimp/material.h>
#include <assimp/scene.h>
#include <cmath>
#include <cstring>

namespace orfeas::exporting {

namespace {

aiVector3D toAi(const Vec3f& v)
{
    return { v.x, v.y, v.z };
}

aiVector3D faceNormal(const Mesh& mesh, std::size_t face)
{
    const aiVector3D a = toAi(mesh.positions[mesh.indices[face * 3 + 0]]);
    const aiVector3D b = toAi(mesh.positions[mesh.indices[face * 3 + 1]]);
    const aiVector3D c = toAi(mesh.positions[mesh.indices[face * 3 + 2]]);
    aiVector3D n = (b - a) ^ (c - a);
    const float len = n.Length();
    return len > 0 ? n / len : aiVector3D(0, 0, 1);
}

// Unit vertex normals: the mesh's own where usable, otherwise the area-weighted mean of the adjacent faces'.
std::vector<aiVector3D> vertexNormals(const Mesh& mesh)
{
    std::vector<aiVector3D> normals(mesh.positions.size(), aiVector3D(0, 0, 0));
    std::vector<bool> valid(mesh.positions.size(), false);
    if (mesh.normals.size() == mesh.positions.size()) {
        for (std::size_t i = 0; i < normals.size(); ++i) {
            aiVector3D n = toAi(mesh.normals[i]);
            const float len = n.Length();
            if (std::isfinite(len) && len > 1e-12f) {
                normals[i] = n / len;
                valid[i] = true;
            }
        }
    }
    std::vector<aiVector3D> sums(mesh.positions.size(), aiVector3D(0, 0, 0));
    for (std::size_t f = 0; f < mesh.faceCount(); ++f) {
        const std::uint32_t* idx = &mesh.indices[f * 3];
        const aiVector3D a = toAi(mesh.positions[idx[0]]);
        const aiVector3D cross = (toAi(mesh.positions[idx[1]]) - a) ^ (toAi(mesh.positions[idx[2]]) - a);
        for (int c = 0; c < 3; ++c)
            sums[idx[c]] += cross; // |cross| = twice the area: area weighting for free
    }
    for (std::size_t i = 0; i < normals.size(); ++i) {
        if (valid[i])
            continue;
        const float len = sums[i].Length();
        normals[i] = len > 0 && std::isfinite(len) ? sums[i] / len : aiVector3D(0, 0, 1);
    }
    return normals;
}

aiMaterial* buildMaterial(const SceneOptions& options)
{
    auto* material = new aiMaterial();
    const aiString name("orfeas_material");
    material->AddProperty(&name, AI_MATKEY_NAME);
    const aiColor4D white(1, 1, 1, 1);
    material->AddProperty(&white, 1, AI_MATKEY_COLOR_DIFFUSE);
    material->AddProperty(&white, 1, AI_MATKEY_BASE_COLOR);
    // No specular colour: Assimp's glTF writer would switch to the deprecated specular-glossiness extension.
    const float metallic = 0.0f, roughness = 0.9f;
    material->AddProperty(&metallic, 1, AI_MATKEY_METALLIC_FACTOR);
    material->AddProperty(&roughness, 1, AI_MATKEY_ROUGHNESS_FACTOR);
    // Assimp 5.2's glTF writer declares KHR_materials_volume whenever these keys are *missing* (inverted checks);
    // present, they keep the extension out. They mean nothing to the other writers.
    const float thickness = 0.0f, attenuationDistance = 1e30f;
    material->AddProperty(&thickness, 1, AI_MATKEY_VOLUME_THICKNESS_FACTOR);
    material->AddProperty(&attenuationDistance, 1, AI_MATKEY_VOLUME_ATTENUATION_DISTANCE);
    const aiColor3D attenuationColor(1, 1, 1);
    material->AddProperty(&attenuationColor, 1, AI_MATKEY_VOLUME_ATTENUATION_COLOR);
    std::string texturePath;
    if (!options.embeddedPng.empty())
        texturePath = "*0";
    else if (!options.textureFile.empty())
        texturePath = options.textureFile;
    if (!texturePath.empty()) {
        const aiString path(texturePath);
        material->AddProperty(&path, AI_MATKEY_TEXTURE_DIFFUSE(0));
        material->AddProperty(&path, AI_MATKEY_TEXTURE(aiTextureType_BASE_COLOR, 0));
        const int clamp = aiTextureMapMode_Clamp;
        material->AddProperty(&clamp, 1, AI_MATKEY_MAPPINGMODE_U_DIFFUSE(0));
        material->AddProperty(&clamp, 1, AI_MATKEY_MAPPINGMODE_V_DIFFUSE(0));
        material->AddProperty(&clamp, 1, AI_MATKEY_MAPPINGMODE_U(aiTextureType_BASE_COLOR, 0));
        material->AddProperty(&clamp, 1, AI_MATKEY_MAPPINGMODE_V(aiTextureType_BASE_COLOR, 0));
    }
    return material;
}

aiTexture* buildEmbeddedTexture(const std::vector<std::uint8_t>& png)
{
    auto* texture = new aiTexture();
    // Compressed texture: mHeight 0, mWidth the byte count, pcData the file's bytes.
    texture->mWidth = static_cast<unsigned int>(png.size());
    texture->mHeight = 0;
    const std::size_t texels = (png.size() + sizeof(aiTexel) - 1) / sizeof(aiTexel);
    texture->pcData = new aiTexel[texels];
    std::memset(static_cast<void*>(texture->pcData), 0, texels * sizeof(aiTexel));
    std::memcpy(texture->pcData, png.data(), png.size());
    std::strncpy(texture->achFormatHint, "png", sizeof(texture->achFormatHint) - 1);
    texture->mFilename = aiString("texture.png");
    return texture;
}

} // namespace

void SceneDeleter::operator()(aiScene* scene) const noexcept
{
    delete scene;
}

std::string sanitizedName(const std::string& name)
{
    std::string out;
    for (const char c : name) {
        const bool ok
            = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? std::string("mesh") : out;
}

ScenePtr buildScene(const Mesh& source, const SceneOptions& options)
{
    ScenePtr scene(new aiScene());
    scene->mRootNode = new aiNode();
    scene->mRootNode->mName = aiString(sanitizedName(options.name));
    scene->mRootNode->mNumMeshes = 1;
    scene->mRootNode->mMeshes = new unsigned int[1] { 0 };

    scene->mNumMaterials = 1;
    scene->mMaterials = new aiMaterial* [1] { buildMaterial(options) };
    if (!options.embeddedPng.empty()) {
        scene->mNumTextures = 1;
        scene->mTextures = new aiTexture* [1] { buildEmbeddedTexture(options.embeddedPng) };
    }

    auto* mesh = new aiMesh();
    scene->mNumMeshes = 1;
    scene->mMeshes = new aiMesh* [1] { mesh };
    mesh->mName = aiString(sanitizedName(options.name));
    mesh->mMaterialIndex = 0;
    mesh->mPrimitiveTypes = aiPrimitiveType_TRIANGLE;

    const std::size_t faces = source.faceCount();
    const bool uvs = options.withUvs && source.uvs.size() == source.positions.size();
    const bool colors = options.withColors && source.colors.size() == source.positions.size();
    const std::vector<aiVector3D> normals
        = options.withNormals && !options.flatFaces ? vertexNormals(source) : std::vector<aiVector3D> {};
    // Flat faces: three fresh vertices per face (the exporters then need no normal generation of their own).
    const std::size_t vertexCount = options.flatFaces ? faces * 3 : source.positions.size();
    auto sourceVertex = [&](std::size_t v) -> std::size_t { return options.flatFaces ? source.indices[v] : v; };

    mesh->mNumVertices = static_cast<unsigned int>(vertexCount);
    mesh->mVertices = new aiVector3D[vertexCount];
    if (options.withNormals)
        mesh->mNormals = new aiVector3D[vertexCount];
    if (uvs) {
        mesh->mTextureCoords[0] = new aiVector3D[vertexCount];
        mesh->mNumUVComponents[0] = 2;
    }
    if (colors)
        mesh->mColors[0] = new aiColor4D[vertexCount];
    for (std::size_t v = 0; v < vertexCount; ++v) {
        const std::size_t s = sourceVertex(v);
        mesh->mVertices[v] = toAi(source.positions[s]);
        if (options.withNormals)
            mesh->mNormals[v] = options.flatFaces ? faceNormal(source, v / 3) : normals[s];
        if (uvs)
            mesh->mTextureCoords[0][v] = aiVector3D(source.uvs[s].x, source.uvs[s].y, 0);
        if (colors) {
            const Color8& c = source.colors[s];
            const float offset = options.colorsForTruncation ? 0.25f : 0.0f;
            mesh->mColors[0][v] = aiColor4D(
                (c.r + offset) / 255.0f, (c.g + offset) / 255.0f, (c.b + offset) / 255.0f, (c.a + offset) / 255.0f);
        }
    }

    mesh->mNumFaces = static_cast<unsigned int>(faces);
    mesh->mFaces = new aiFace[faces];
    for (std::size_t f = 0; f < faces; ++f) {
        aiFace& face = mesh->mFaces[f];
        face.mNumIndices = 3;
        face.mIndices = new unsigned int[3];
        for (int c = 0; c < 3; ++c)
            face.mIndices[c] = options.flatFaces ? static_cast<unsigned int>(f * 3 + c) : source.indices[f * 3 + c];
    }
    return scene;
}

} // namespace orfeas::exporting
