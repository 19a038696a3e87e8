/** Scene programs the 3D tests hand to the kernel as if a text model wrote them. */

/** A cup: a cylinder hollowed by a smaller one, on a saucer. */
export const CUP_PROGRAM = {
  name: 'test cup',
  materials: { glaze: { baseColor: '#2e86c1', metallic: 0, roughness: 0.3, emissive: '#000000' } },
  parts: [
    { name: 'saucer', material: 'glaze', shape: { type: 'cylinder', radius: 0.07, height: 0.008 } },
    {
      name: 'cup',
      material: 'glaze',
      shape: { type: 'difference', base: { type: 'cylinder', radius: 0.04, height: 0.08 }, subtract: [{ type: 'cylinder', radius: 0.035, height: 0.08, transform: { translate: [0, 0.005, 0] } }] },
      transform: { translate: [0, 0.008, 0] },
    },
  ],
};
