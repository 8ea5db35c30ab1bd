# Renders the bundled sample images with Blender (Cycles on the CPU), so that they are reproducible and ours.
#   blender -b -P resources/samples/make_samples.py -- resources/samples
# vase.png and mushroom.png have a transparent background (alpha path); duck.jpg is an opaque product shot on a
# light grey backdrop (background-removal path).
import bpy, math, sys, os

out_dir = sys.argv[sys.argv.index("--") + 1] if "--" in sys.argv else "."

def reset():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    s = bpy.context.scene
    s.render.engine = "CYCLES"
    s.cycles.device = "CPU"
    s.cycles.samples = 48
    s.cycles.use_denoising = False
    s.render.resolution_x = 512
    s.render.resolution_y = 512
    s.view_settings.view_transform = "Standard"
    world = bpy.data.worlds.new("w")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (0.9, 0.9, 0.92, 1)
    world.node_tree.nodes["Background"].inputs[1].default_value = 0.6
    s.world = world
    return s

def material(name, color, rough=0.35, spec=0.5):
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    b = m.node_tree.nodes["Principled BSDF"]
    b.inputs["Base Color"].default_value = (*color, 1)
    b.inputs["Roughness"].default_value = rough
    b.inputs["Specular"].default_value = spec
    return m

def camera_and_lights(s, distance=6.0, height=0.8, target=(0, 0, 0.9)):
    cam_data = bpy.data.cameras.new("cam")
    cam_data.lens = 70
    cam = bpy.data.objects.new("cam", cam_data)
    s.collection.objects.link(cam)
    cam.location = (0, -distance, target[2] + height)
    direction = [target[i] - cam.location[i] for i in range(3)]
    cam.rotation_euler = (math.atan2(math.hypot(direction[0], direction[1]), -direction[2]), 0, 0)
    s.camera = cam
    key = bpy.data.lights.new("key", "AREA")
    key.energy = 900
    key.size = 3
    k = bpy.data.objects.new("key", key)
    k.location = (-3, -4, 5)
    k.rotation_euler = (math.radians(45), 0, math.radians(-35))
    s.collection.objects.link(k)
    fill = bpy.data.lights.new("fill", "AREA")
    fill.energy = 300
    fill.size = 4
    f = bpy.data.objects.new("fill", fill)
    f.location = (4, -3, 2)
    f.rotation_euler = (math.radians(70), 0, math.radians(50))
    s.collection.objects.link(f)

def lathe(name, profile, segments=64):
    # profile: list of (radius, z) from bottom to top
    verts, faces = [], []
    for r, z in profile:
        for i in range(segments):
            a = 2 * math.pi * i / segments
            verts.append((r * math.cos(a), r * math.sin(a), z))
    rings = len(profile)
    for j in range(rings - 1):
        for i in range(segments):
            a = j * segments + i
            b = j * segments + (i + 1) % segments
            faces.append((a, b, b + segments, a + segments))
    verts.append((0, 0, profile[0][1]))
    bottom = len(verts) - 1
    for i in range(segments):
        faces.append((bottom, (i + 1) % segments, i))
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    mesh.update()
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    for p in mesh.polygons:
        p.use_smooth = True
    mod = obj.modifiers.new("sub", "SUBSURF")
    mod.levels = 2
    mod.render_levels = 2
    return obj

def render(s, path, transparent):
    s.render.film_transparent = transparent
    if transparent:
        s.render.image_settings.file_format = "PNG"
        s.render.image_settings.color_mode = "RGBA"
    else:
        s.render.image_settings.file_format = "JPEG"
        s.render.image_settings.quality = 92
        s.render.image_settings.color_mode = "RGB"
    s.render.filepath = path
    bpy.ops.render.render(write_still=True)

# 1. A glazed vase (transparent background)
s = reset()
vase = lathe("vase", [(0.45, 0), (0.6, 0.15), (0.75, 0.6), (0.7, 1.0), (0.42, 1.45), (0.3, 1.7), (0.36, 1.85), (0.4, 1.9)])
vase.data.materials.append(material("glaze", (0.08, 0.28, 0.65), rough=0.2))
camera_and_lights(s, distance=7.5, height=0.7, target=(0, 0, 0.95))
render(s, os.path.join(out_dir, "vase.png"), True)

# 2. A mushroom (transparent background): white stem, red cap
s = reset()
stem = lathe("stem", [(0.28, 0), (0.3, 0.4), (0.24, 0.9), (0.2, 1.0)])
stem.data.materials.append(material("stem", (0.92, 0.88, 0.8), rough=0.6))
cap = lathe("cap", [(0.15, 0.85), (0.95, 0.95), (1.0, 1.05), (0.85, 1.35), (0.5, 1.6), (0.01, 1.68)])
cap.data.materials.append(material("cap", (0.75, 0.08, 0.05), rough=0.4))
camera_and_lights(s, distance=7.0, height=1.2, target=(0, 0, 0.8))
render(s, os.path.join(out_dir, "mushroom.png"), True)

# 3. A rubber duck on a light grey backdrop (opaque JPEG product shot)
s = reset()
s.world.node_tree.nodes["Background"].inputs[0].default_value = (0.82, 0.82, 0.84, 1)
s.world.node_tree.nodes["Background"].inputs[1].default_value = 1.0
yellow = material("duck", (0.95, 0.7, 0.02), rough=0.3)
orange = material("beak", (0.95, 0.35, 0.02), rough=0.3)
dark = material("eye", (0.02, 0.02, 0.02), rough=0.1)
def sphere(name, loc, scale, mat):
    bpy.ops.mesh.primitive_uv_sphere_add(segments=48, ring_count=24, location=loc)
    o = bpy.context.active_object
    o.name = name
    o.scale = scale
    o.data.materials.append(mat)
    bpy.ops.object.shade_smooth()
    return o
sphere("body", (0, 0, 0.55), (0.95, 0.75, 0.55), yellow)
sphere("head", (-0.45, 0, 1.25), (0.42, 0.42, 0.42), yellow)
sphere("beak", (-0.9, 0, 1.18), (0.22, 0.14, 0.07), orange)
sphere("eye1", (-0.72, -0.25, 1.38), (0.05, 0.05, 0.05), dark)
sphere("eye2", (-0.72, 0.25, 1.38), (0.05, 0.05, 0.05), dark)
sphere("tail", (0.85, 0, 0.85), (0.25, 0.2, 0.18), yellow)
camera_and_lights(s, distance=7.0, height=0.6, target=(0, 0, 0.75))
# the duck looks to the left of the picture: turn the camera around the z axis
cam = s.camera
cam.location = (0.9, -6.9, cam.location[2])
cam.rotation_euler[2] = math.atan2(0.9, 6.9)
render(s, os.path.join(out_dir, "duck.jpg"), False)
