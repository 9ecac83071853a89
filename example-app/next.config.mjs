import sharedNextConfig from '../next.config.mjs';

/** @type {import('next').NextConfig} */
const nextConfig = {
  ...sharedNextConfig,
};

export default nextConfig;
